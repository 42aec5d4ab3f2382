namespace MedDeblur.Display;

/// <summary>
/// Any HTML string as a displayable value: a notebook cell that ends with (or <c>display</c>s) an
/// <see cref="HtmlFragment"/> shows it rendered. Also what <see cref="HtmlImage"/> returns.
/// </summary>
/// <remarks>The HTML is trusted as given (not escaped); build it with <see cref="Html.Encode"/> for any text.</remarks>
[TypeFormatterSource(typeof(HtmlFormatterSource))]
public sealed class HtmlFragment : IHtmlDisplayable
{
    private readonly string html;
    private readonly string? plainText;

    /// <summary>Wraps <paramref name="html"/>; <paramref name="plainText"/> is what text-only frontends show
    /// (default: the HTML itself).</summary>
    public HtmlFragment(string html, string? plainText = null)
    {
        ArgumentNullException.ThrowIfNull(html);
        this.html = html;
        this.plainText = plainText;
    }

    /// <inheritdoc />
    public string ToHtml() => html;

    /// <summary>The plain-text form given at construction, or the HTML.</summary>
    public override string ToString() => plainText ?? html;
}
