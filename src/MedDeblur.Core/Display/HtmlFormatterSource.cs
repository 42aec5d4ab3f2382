namespace MedDeblur.Display;

/// <summary>
/// The convention-based formatter source of every <see cref="IHtmlDisplayable"/>: <c>text/html</c> from
/// <see cref="IHtmlDisplayable.ToHtml"/>, <c>text/plain</c> from <see cref="object.ToString"/>.
/// </summary>
/// <remarks>Found by .NET Interactive through <see cref="TypeFormatterSourceAttribute"/>; the shape (public
/// <c>CreateTypeFormatters</c>, formatters with <c>MimeType</c> and <c>Format(object, TextWriter)</c>) is the
/// convention that attribute documents.</remarks>
internal sealed class HtmlFormatterSource
{
    /// <summary>The HTML MIME type.</summary>
    public const string HtmlMimeType = "text/html";

    /// <summary>The plain-text MIME type.</summary>
    public const string PlainTextMimeType = "text/plain";

    /// <summary>Creates the two formatters.</summary>
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new ConventionFormatter(HtmlMimeType, d => d.ToHtml()),
        new ConventionFormatter(PlainTextMimeType, d => d.ToString() ?? string.Empty),
    ];

    /// <summary>One formatter of the convention: a MIME type and a Format method.</summary>
    internal sealed class ConventionFormatter(string mimeType, Func<IHtmlDisplayable, string> render)
    {
        /// <summary>The MIME type this formatter writes.</summary>
        public string MimeType { get; } = mimeType;

        /// <summary>Writes <paramref name="instance"/> if it is an <see cref="IHtmlDisplayable"/>.</summary>
        /// <returns>Whether it wrote anything (false lets .NET Interactive try its next formatter).</returns>
        public bool Format(object instance, TextWriter writer)
        {
            ArgumentNullException.ThrowIfNull(writer);
            if (instance is not IHtmlDisplayable displayable) return false;
            writer.Write(render(displayable));
            return true;
        }
    }
}
