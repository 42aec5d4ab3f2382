using Microsoft.DotNet.Interactive.Formatting;

namespace MedDeblur.NotebookRunner;

/// <summary>
/// Formats values the way the .NET Interactive kernel does, with Microsoft.DotNet.Interactive.Formatting (which also
/// honours MedDeblur.Core's convention-based formatters, see <c>MedDeblur.Display.IHtmlDisplayable</c>).
/// </summary>
public static class MimeBundles
{
    /// <summary>The HTML MIME type.</summary>
    public const string Html = "text/html";

    /// <summary>The plain-text MIME type.</summary>
    public const string PlainText = "text/plain";

    /// <summary>
    /// Formats <paramref name="value"/> for each MIME type. Without explicit types: the type's preferred MIME types
    /// (<c>text/html</c> for objects, <c>text/plain</c> for strings, as in the kernel) plus <c>text/plain</c> so
    /// text-only frontends have something to show.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Format(object? value, IReadOnlyCollection<string>? mimeTypes = null)
    {
        if (value is null) return new Dictionary<string, string> { [PlainText] = Formatter.NullString };
        IEnumerable<string> types = mimeTypes is { Count: > 0 }
            ? mimeTypes
            : Formatter.GetPreferredMimeTypesFor(value.GetType()).Append(PlainText);
        var bundle = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mime in types.Distinct(StringComparer.Ordinal))
            bundle[mime] = value.ToDisplayString(mime);
        return bundle;
    }
}
