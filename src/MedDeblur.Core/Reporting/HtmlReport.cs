using System.Text;
using MedDeblur.Display;
using MedDeblur.Figures;

namespace MedDeblur.Reporting;

/// <summary>
/// A self-contained HTML report (inline CSS, images as base64 PNG, no external links; interactive charts with
/// plotly.js embedded once in the page, <see cref="PlotlyHtml"/>), so it opens offline and can be mailed or archived
/// as one file.
/// </summary>
[TypeFormatterSource(typeof(HtmlFormatterSource))]
public sealed class HtmlReport : IHtmlDisplayable
{
    private readonly StringBuilder body = new();
    private readonly List<(string Id, string Title)> contents = [];
    private bool hasCharts;

    /// <summary>Creates an empty report.</summary>
    public HtmlReport(string title) => Title = title;

    /// <summary>Report title.</summary>
    public string Title { get; }

    /// <summary>Starts a section (listed in the table of contents).</summary>
    public HtmlReport Section(string title)
    {
        string id = "s" + (contents.Count + 1);
        contents.Add((id, title));
        body.Append("<h2 id=\"").Append(id).Append("\">").Append(Encode(title)).Append("</h2>\n");
        return this;
    }

    /// <summary>A paragraph of plain text.</summary>
    public HtmlReport Paragraph(string text)
    {
        body.Append("<p>").Append(Encode(text)).Append("</p>\n");
        return this;
    }

    /// <summary>Preformatted text (commands, options JSON).</summary>
    public HtmlReport Code(string text)
    {
        body.Append("<pre>").Append(Encode(text)).Append("</pre>\n");
        return this;
    }

    /// <summary>A results table with its notes.</summary>
    public HtmlReport Table(ResultsTable table)
    {
        body.Append(table.ToHtml()).Append('\n');
        return this;
    }

    /// <summary>A figure, inlined.</summary>
    public HtmlReport Figure(Figure figure)
    {
        body.Append(figure.ToHtml()).Append('\n');
        return this;
    }

    /// <summary>An interactive Plotly.NET chart (plotly.js is embedded once for the whole report).</summary>
    public HtmlReport Chart(Plotly.NET.GenericChart chart)
    {
        body.Append(PlotlyHtml.Fragment(chart)).Append('\n');
        hasCharts = true;
        return this;
    }

    /// <summary>Any displayable HTML element (e.g. a <see cref="BeforeAfterSlider"/>), inlined.</summary>
    public HtmlReport Element(IHtmlDisplayable element)
    {
        ArgumentNullException.ThrowIfNull(element);
        body.Append(element.ToHtml()).Append('\n');
        return this;
    }

    /// <summary>A bullet list.</summary>
    public HtmlReport List(IEnumerable<string> items)
    {
        body.Append("<ul>");
        foreach (var item in items) body.Append("<li>").Append(Encode(item)).Append("</li>");
        body.Append("</ul>\n");
        return this;
    }

    /// <summary>The complete HTML document.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Encode(Title)).Append("</title>\n<style>")
            .Append("body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}")
            .Append("table{border-collapse:collapse;margin:1em 0}caption{font-weight:bold;text-align:left;padding:.3em 0}")
            .Append("th,td{border:1px solid #bbb;padding:.25em .6em;text-align:right}th:first-child,td:first-child,td:nth-child(2){text-align:left}")
            .Append("th{background:#eee}pre{background:#f6f6f6;padding:.6em;overflow-x:auto}figure{margin:1em 0}img{max-width:100%;height:auto}")
            .Append("p.note{margin:.1em 0;color:#555}</style>\n");
        if (hasCharts) html.Append(PlotlyHtml.Script()).Append('\n');
        html.Append("</head><body>\n");
        html.Append("<h1>").Append(Encode(Title)).Append("</h1>\n");
        if (contents.Count > 0)
        {
            html.Append("<nav><ol>");
            foreach (var (id, title) in contents) html.Append("<li><a href=\"#").Append(id).Append("\">").Append(Encode(title)).Append("</a></li>");
            html.Append("</ol></nav>\n");
        }
        html.Append(body).Append("</body></html>\n");
        return html.ToString();
    }

    /// <summary>Writes the report atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToHtml());

    private static string Encode(string s) => Html.Encode(s);
}
