using MedDeblur.Display;
using SkiaSharp;

namespace MedDeblur.Figures;

/// <summary>A rendered figure: a PNG image with a caption. Save it, embed it in HTML, or display it in a notebook.</summary>
[TypeFormatterSource(typeof(HtmlFormatterSource))]
public sealed class Figure : IHtmlDisplayable
{
    /// <summary>Creates a figure from encoded PNG bytes.</summary>
    public Figure(byte[] png, int width, int height, string caption)
    {
        Png = png;
        Width = width;
        Height = height;
        Caption = caption;
    }

    /// <summary>The figure as PNG bytes.</summary>
    public byte[] Png { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>One-line caption (used as alt text and in reports).</summary>
    public string Caption { get; }

    /// <summary>Loads a PNG written earlier (e.g. a figure of a reproduce run) for display.</summary>
    public static Figure FromFile(string path, string? caption = null)
    {
        if (!File.Exists(path)) throw new MedDeblurException($"figure {path} does not exist (run the step that writes it first)");
        byte[] png = File.ReadAllBytes(path);
        using var codec = SKCodec.Create(new MemoryStream(png)) ?? throw new MedDeblurException($"figure {path} is not a readable image");
        return new Figure(png, codec.Info.Width, codec.Info.Height, caption ?? Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Writes the PNG atomically (temporary file in the same folder, then rename).</summary>
    public void Save(string path)
    {
        AtomicFile.WriteAllBytes(path, Png);
    }

    /// <summary>An HTML <c>&lt;figure&gt;</c> with the PNG inlined as base64 (no external files).</summary>
    public string ToHtml() =>
        $"<figure><img alt=\"{Html.Encode(Caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(Png)}\" " +
        $"width=\"{Width}\" height=\"{Height}\"/><figcaption>{Html.Encode(Caption)}</figcaption></figure>";

    /// <inheritdoc />
    public override string ToString() => $"{Caption} ({Width}x{Height} PNG)";

    internal static Figure FromSurface(SKSurface surface, int width, int height, string caption)
    {
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return new Figure(data.ToArray(), width, height, caption);
    }
}
