using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MedDeblur.Display;

/// <summary>
/// A small typed table for the paper's tables (comparison, ablation, model analysis): a title, column headers, rows of
/// cells, and notes printed under it (e.g. the metric conventions). Renders as Markdown, CSV and HTML.
/// </summary>
[TypeFormatterSource(typeof(HtmlFormatterSource))]
public sealed class ResultsTable : IHtmlDisplayable
{
    private readonly List<IReadOnlyList<string>> rows = [];

    /// <summary>Creates an empty table.</summary>
    public ResultsTable(string title, IReadOnlyList<string> columns)
    {
        if (columns.Count == 0) throw new ArgumentException("a table needs at least one column");
        Title = title;
        Columns = columns;
    }

    /// <summary>Title (e.g. "Table 2. Objective comparison").</summary>
    public string Title { get; }

    /// <summary>Column headers.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Rows of formatted cells.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows => rows;

    /// <summary>Lines printed under the table (conventions, units, what a row means).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Rows to emphasise (e.g. the best method per modality), by index.</summary>
    public HashSet<int> Emphasised { get; } = [];

    /// <summary>Adds a row; numbers are formatted with invariant culture (doubles to the given decimals).</summary>
    public ResultsTable Add(params object?[] cells)
    {
        if (cells.Length != Columns.Count)
            throw new ArgumentException($"row has {cells.Length} cells, table '{Title}' has {Columns.Count} columns");
        rows.Add(cells.Select(Format).ToArray());
        return this;
    }

    /// <summary>Formats a cell value: doubles with 2 decimals unless given as a preformatted string; infinity as "inf".</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        double d when double.IsPositiveInfinity(d) => "inf",
        double d when double.IsNaN(d) => "n/a",
        double d => d.ToString("0.00", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("0.00", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>GitHub-flavoured Markdown with the title as a heading and the notes under the table.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("### ").AppendLine(Title).AppendLine();
        sb.Append("| ").AppendJoin(" | ", Columns.Select(EscapeMarkdown)).AppendLine(" |");
        sb.Append('|').AppendJoin("", Columns.Select((_, i) => IsNumeric(i) ? "---:|" : "---|")).AppendLine();
        for (int r = 0; r < rows.Count; r++)
        {
            var cells = rows[r].Select(EscapeMarkdown).Select(c => Emphasised.Contains(r) && c.Length > 0 ? $"**{c}**" : c);
            sb.Append("| ").AppendJoin(" | ", cells).AppendLine(" |");
        }
        if (Notes.Count > 0) sb.AppendLine();
        foreach (var note in Notes) sb.Append("_").Append(EscapeMarkdown(note)).AppendLine("_  ");
        return sb.ToString();
    }

    /// <summary>RFC 4180 CSV (header row, then rows; the notes go to <see cref="NotesText"/>, written beside it by <see cref="Save"/>).</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.AppendJoin(",", Columns.Select(EscapeCsv)).Append('\n');
        foreach (var row in rows) sb.AppendJoin(",", row.Select(EscapeCsv)).Append('\n');
        return sb.ToString();
    }

    /// <summary>An HTML table with a caption and the notes in a footer paragraph.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<table class=\"meddeblur-table\"><caption>").Append(Html.Encode(Title)).Append("</caption><thead><tr>");
        foreach (var c in Columns) sb.Append("<th>").Append(Html.Encode(c)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        for (int r = 0; r < rows.Count; r++)
        {
            sb.Append(Emphasised.Contains(r) ? "<tr style=\"font-weight:bold\">" : "<tr>");
            foreach (var c in rows[r]) sb.Append("<td>").Append(Html.Encode(c)).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        foreach (var note in Notes) sb.Append("<p class=\"note\"><small>").Append(Html.Encode(note)).Append("</small></p>");
        return sb.ToString();
    }

    /// <summary>The title and the notes (metric conventions, inputs, oracle marks) as plain text, one per line.</summary>
    public string NotesText() => string.Concat(Notes.Prepend(Title).Select(line => line + "\n"));

    /// <summary>Writes <c>name.csv</c>, <c>name.md</c> and <c>name.notes.txt</c> (the title and notes the CSV cannot
    /// carry, so the numbers never travel without their conventions) into <paramref name="folder"/> atomically.</summary>
    public void Save(string folder, string name)
    {
        AtomicFile.WriteAllText(Path.Combine(folder, name + ".csv"), ToCsv());
        AtomicFile.WriteAllText(Path.Combine(folder, name + ".notes.txt"), NotesText());
        AtomicFile.WriteAllText(Path.Combine(folder, name + ".md"), ToMarkdown());
    }

    /// <summary>The table as JSON (title, columns, rows, notes, emphasised rows), e.g. for a pipeline stage's record.</summary>
    public JsonObject ToJson() => new()
    {
        ["title"] = Title,
        ["columns"] = new JsonArray([.. Columns.Select(c => (JsonNode?)c)]),
        ["rows"] = new JsonArray([.. rows.Select(r => (JsonNode?)new JsonArray([.. r.Select(c => (JsonNode?)c)]))]),
        ["notes"] = new JsonArray([.. Notes.Select(n => (JsonNode?)n)]),
        ["emphasised"] = new JsonArray([.. Emphasised.Order().Select(i => (JsonNode?)i)]),
    };

    /// <summary>A table written by <see cref="ToJson"/>.</summary>
    public static ResultsTable FromJson(JsonNode json)
    {
        ArgumentNullException.ThrowIfNull(json);
        static string[] Strings(JsonNode? array) => array?.AsArray().Select(n => n?.GetValue<string>() ?? "").ToArray() ?? [];
        var table = new ResultsTable(json["title"]?.GetValue<string>() ?? "", Strings(json["columns"]));
        foreach (var row in json["rows"]?.AsArray() ?? []) table.rows.Add(Strings(row));
        table.Notes.AddRange(Strings(json["notes"]));
        foreach (var i in json["emphasised"]?.AsArray() ?? []) if (i is not null) table.Emphasised.Add(i.GetValue<int>());
        return table;
    }

    /// <inheritdoc />
    public override string ToString() => ToMarkdown();

    /// <summary>A column is right-aligned when every non-empty cell is a number (or inf / n/a).</summary>
    private bool IsNumeric(int column) =>
        rows.Count > 0 && rows.All(r => r[column].Length == 0 || r[column] is "inf" or "n/a" ||
            double.TryParse(r[column], NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _));

    private static string EscapeMarkdown(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);

    private static string EscapeCsv(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
