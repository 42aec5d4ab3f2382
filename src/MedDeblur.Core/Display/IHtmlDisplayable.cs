namespace MedDeblur.Display;

/// <summary>
/// A library result (table, image grid, chart, ...) that renders itself as an HTML fragment, for notebooks and reports.
/// </summary>
/// <remarks>
/// <para>
/// How a result shows as HTML in .NET Interactive / Polyglot Notebooks without any notebook package: besides
/// implementing this interface, the concrete type carries <c>[TypeFormatterSource(typeof(HtmlFormatterSource))]</c>
/// (both internal to MedDeblur.Core). .NET Interactive recognises that attribute <em>by name</em> and asks the source
/// for formatters (see <see cref="TypeFormatterSourceAttribute"/> for the lookup rules). The attribute must sit on the
/// concrete class or one of its base classes: .NET Interactive looks it up with <c>Type.GetCustomAttributes(true)</c>,
/// which never reads attributes from interfaces, so this interface alone is not enough. A test in
/// <c>tests/MedDeblur.Core.Tests/Display</c> fails when a type of this assembly implements the interface without the
/// attribute.
/// </para>
/// <para>
/// The notebook shows <see cref="ToHtml"/> as <c>text/html</c> and <see cref="object.ToString"/> as <c>text/plain</c>
/// (what plain Jupyter frontends and terminals show), so implementations override <c>ToString</c> with a short text
/// summary. The HTML must be a self-contained fragment: inline styles and <c>data:</c> URIs only, no scripts that
/// load from the internet, all text escaped (<see cref="Html.Encode"/>).
/// </para>
/// </remarks>
public interface IHtmlDisplayable
{
    /// <summary>Renders this object as a self-contained HTML fragment.</summary>
    string ToHtml();
}
