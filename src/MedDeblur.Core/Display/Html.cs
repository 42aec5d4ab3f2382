using System.Net;

namespace MedDeblur.Display;

/// <summary>HTML escaping shared by the HTML renderers.</summary>
public static class Html
{
    /// <summary>Escapes text for use in HTML element content and double-quoted attribute values.</summary>
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);
}
