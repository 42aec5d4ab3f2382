using System.Globalization;
using System.Net;

namespace MedDeblur.Display;

/// <summary>Small helpers shared by the HTML renderers: escaping and invariant number formatting.</summary>
public static class Html
{
    /// <summary>Escapes text for use in HTML element content and double-quoted attribute values.</summary>
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    /// <summary>
    /// Formats a cell value as text: numbers with the invariant culture (<c>double</c>/<c>float</c> with up to
    /// <paramref name="digits"/> decimals, infinities as <c>∞</c>/<c>-∞</c>), <c>null</c> as an empty string, anything
    /// else with <see cref="object.ToString"/>.
    /// </summary>
    public static string FormatValue(object? value, int digits = 4) => value switch
    {
        null => string.Empty,
        double d when double.IsPositiveInfinity(d) => "∞",
        double d when double.IsNegativeInfinity(d) => "-∞",
        double d => d.ToString("0." + new string('#', Math.Max(digits, 0)), CultureInfo.InvariantCulture),
        float f => FormatValue((double)f, digits),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
