using SkiaSharp;

namespace MedDeblur.Figures;

/// <summary>
/// The fonts every figure uses: DejaVu Sans, shipped inside MedDeblur.Core (Fonts/LICENSE) so labels render on machines
/// without system fonts, whatever SkiaSharp native variant is loaded.
/// </summary>
public static class FigureFonts
{
    private static readonly Lazy<SKTypeface> RegularFace = new(() => Load("DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> BoldFace = new(() => Load("DejaVuSans-Bold.ttf"));
    private static readonly Lazy<string> ScottPlotFamily = new(RegisterWithScottPlot);

    /// <summary>Family name under which the shipped font is known to ScottPlot.</summary>
    public const string FamilyName = "MedDeblur Sans";

    /// <summary>The regular face.</summary>
    public static SKTypeface Regular => RegularFace.Value;

    /// <summary>The bold face.</summary>
    public static SKTypeface Bold => BoldFace.Value;

    /// <summary>Makes the shipped font available to ScottPlot charts and returns its family name.</summary>
    public static string EnsureScottPlotFont() => ScottPlotFamily.Value;

    private static SKTypeface Load(string file)
    {
        using var stream = typeof(FigureFonts).Assembly.GetManifestResourceStream($"MedDeblur.Figures.Fonts.{file}")
            ?? throw new InvalidOperationException($"embedded font {file} is missing from MedDeblur.Core");
        return SKTypeface.FromStream(stream)
            ?? throw new InvalidOperationException($"embedded font {file} could not be decoded by SkiaSharp");
    }

    private static string RegisterWithScottPlot()
    {
        ScottPlot.Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver());
        ScottPlot.Fonts.Default = FamilyName;
        return FamilyName;
    }

    private sealed class EmbeddedFontResolver : ScottPlot.IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            fontName == FamilyName ? Load(bold ? "DejaVuSans-Bold.ttf" : "DejaVuSans.ttf") : null;

        public SKTypeface? CreateTypeface(string fontName, ScottPlot.FontWeight weight, ScottPlot.FontSlant slant, ScottPlot.FontSpacing spacing) =>
            CreateTypeface(fontName, weight >= ScottPlot.FontWeight.SemiBold, slant != ScottPlot.FontSlant.Upright);
    }
}
