using System.Text;

namespace MedDeblur.Display;

/// <summary>
/// A simple table of text and numbers that renders as an HTML <c>&lt;table&gt;</c> (every cell escaped) and as aligned
/// plain text. For results the library builds (metric tables, parameter counts) and for ad-hoc tables in notebooks.
/// </summary>
/// <example>
/// <code>
/// var table = new HtmlTable("model", "PSNR", "SSIM") { Caption = "GoPro-style test set" };
/// table.AddRow("MedDeblur", 31.2345, 0.9234);
/// display(table);   // in a notebook
/// </code>
/// </example>
[TypeFormatterSource(typeof(HtmlFormatterSource))]
public sealed class HtmlTable : IHtmlDisplayable
{
    private readonly List<string[]> rows = [];
    private int digits = 4;

    /// <summary>Creates an empty table with these column headers.</summary>
    /// <exception cref="ArgumentException">No headers were given.</exception>
    public HtmlTable(params string[] headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.Length == 0) throw new ArgumentException("a table needs at least one column header.", nameof(headers));
        Headers = headers.Select(h => h ?? string.Empty).ToArray();
    }

    /// <summary>The column headers.</summary>
    public IReadOnlyList<string> Headers { get; }

    /// <summary>The rows as formatted text, in insertion order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows => rows;

    /// <summary>Optional caption shown above the table (escaped).</summary>
    public string? Caption { get; init; }

    /// <summary>Decimals of <c>double</c>/<c>float</c> cells added after this is set (default 4, trailing zeros dropped).</summary>
    public int NumberDigits
    {
        get => digits;
        init => digits = value is >= 0 and <= 15 ? value
            : throw new ArgumentOutOfRangeException(nameof(NumberDigits), value, "number digits must be in [0, 15].");
    }

    /// <summary>Appends a row; values are formatted with <see cref="Html.FormatValue"/>.</summary>
    /// <returns>This table, for chaining.</returns>
    /// <exception cref="ArgumentException">The number of values differs from the number of headers.</exception>
    public HtmlTable AddRow(params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != Headers.Count)
            throw new ArgumentException(
                $"row {rows.Count + 1} has {values.Length} values but the table has {Headers.Count} columns ({string.Join(", ", Headers)}).",
                nameof(values));
        rows.Add(values.Select(v => Html.FormatValue(v, digits)).ToArray());
        return this;
    }

    /// <inheritdoc />
    public string ToHtml()
    {
        var html = new StringBuilder("<table class=\"meddeblur-table\">");
        if (!string.IsNullOrEmpty(Caption)) html.Append("<caption>").Append(Html.Encode(Caption)).Append("</caption>");
        html.Append("<thead><tr>");
        foreach (var h in Headers) html.Append("<th>").Append(Html.Encode(h)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row) html.Append("<td>").Append(Html.Encode(cell)).Append("</td>");
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>The table as left-aligned plain-text columns separated by two spaces, caption first.</summary>
    public override string ToString()
    {
        var widths = Headers.Select((h, c) => rows.Select(r => r[c].Length).Prepend(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        if (!string.IsNullOrEmpty(Caption)) text.Append(Caption).Append('\n');
        AppendLine(Headers);
        foreach (var row in rows) AppendLine(row);
        return text.ToString().TrimEnd('\n');

        void AppendLine(IReadOnlyList<string> cells) =>
            text.Append(string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd()).Append('\n');
    }
}
