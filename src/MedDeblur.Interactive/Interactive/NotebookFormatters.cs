using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using MedDeblur.Display;
using MedDeblur.Reporting;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using Html = MedDeblur.Display.Html;
using Plotly.NET;

namespace MedDeblur.Interactive;

/// <summary>
/// The kit's notebook formatters: the runtime description as text, a Microsoft.Data.Analysis <see cref="DataFrame"/> as an HTML table, and a Plotly.NET
/// <see cref="GenericChart"/> as an interactive chart that renders offline, with plotly.js embedded in the first chart
/// output of each kernel session only (later charts use the page's <c>window.Plotly</c>).
/// </summary>
public static class NotebookFormatters
{
    /// <summary>Rows a DataFrame shows; the rest are counted in a note.</summary>
    public const int MaxRows = 100;

    private static readonly ConditionalWeakTable<object, object> KernelsWithPlotly = [];

    /// <summary>Registers the formatters (idempotent: registering again replaces them).</summary>
    public static void Register()
    {
        Formatter.Register<DataFrame>((frame, writer) => writer.Write(ToHtml(frame)), HtmlFormatterSource.HtmlMimeType);
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(ChartHtml(chart)), HtmlFormatterSource.HtmlMimeType);
        Formatter.Register<MedDeblur.Runtime.RuntimeInfo>((info, writer) => writer.Write($"<pre>{Html.Encode(info.ToString())}</pre>"), HtmlFormatterSource.HtmlMimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(MedDeblur.Runtime.RuntimeInfo), HtmlFormatterSource.HtmlMimeType, HtmlFormatterSource.PlainTextMimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(DataFrame), HtmlFormatterSource.HtmlMimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), HtmlFormatterSource.HtmlMimeType);
    }

    /// <summary>The chart's HTML; plotly.js is prepended the first time in the current kernel (or every time outside one).</summary>
    public static string ChartHtml(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return (ClaimPlotlyLibrary() ? PlotlyHtml.Script() : "") + PlotlyHtml.Fragment(chart);
    }

    /// <summary>True the first time in the current kernel (and always outside one): the caller's output must carry plotly.js.</summary>
    internal static bool ClaimPlotlyLibrary()
    {
        object? kernel = KernelInvocationContext.Current?.HandlingKernel?.RootKernel;
        bool first = kernel is null || !KernelsWithPlotly.TryGetValue(kernel, out _);
        if (kernel is not null) KernelsWithPlotly.AddOrUpdate(kernel, true);
        return first;
    }

    /// <summary>A DataFrame as an HTML table (numbers with 4 significant decimals, at most <see cref="MaxRows"/> rows).</summary>
    public static string ToHtml(DataFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var html = new StringBuilder("<table><thead><tr>");
        foreach (var column in frame.Columns) html.Append("<th>").Append(Html.Encode(column.Name)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        long rows = Math.Min(frame.Rows.Count, MaxRows);
        for (long r = 0; r < rows; r++)
        {
            html.Append("<tr>");
            foreach (var column in frame.Columns) html.Append("<td>").Append(Html.Encode(Cell(column[r]))).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        if (frame.Rows.Count > rows)
            html.Append("<p>").Append(string.Create(CultureInfo.InvariantCulture, $"{rows} of {frame.Rows.Count} rows shown")).Append("</p>");
        return html.ToString();
    }

    private static string Cell(object? value) => value switch
    {
        null => "",
        double d => d.ToString("0.0000", CultureInfo.InvariantCulture),
        float f => f.ToString("0.0000", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
