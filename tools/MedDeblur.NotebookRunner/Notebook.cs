using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedDeblur.NotebookRunner;

/// <summary>
/// A Jupyter notebook (nbformat 4) kept as its JSON tree, so everything the runner does not touch (notebook and cell
/// metadata, cell ids, unknown fields) is written back unchanged.
/// </summary>
public sealed class Notebook
{
    private Notebook(JsonObject root, string? path)
    {
        Root = root;
        Path = path;
        if (root["cells"] is not JsonArray cells)
            throw new NotebookException($"{Describe(path)}: no \"cells\" array; not a Jupyter notebook.");
        Cells = cells.Select((c, i) => c is JsonObject o
                ? new NotebookCell(o)
                : throw new NotebookException($"{Describe(path)}: cell {i + 1} is not a JSON object."))
            .ToList();
        foreach (var (cell, i) in Cells.Select((c, i) => (c, i)))
        {
            if (cell.CellType is null)
                throw new NotebookException($"{Describe(path)}: cell {i + 1} has no \"cell_type\".");
            _ = cell.Source; // validates the source shape early
        }
    }

    /// <summary>The file this notebook was read from, if any.</summary>
    public string? Path { get; }

    /// <summary>The whole JSON document.</summary>
    public JsonObject Root { get; }

    /// <summary>The cells, in order (a live view: <see cref="InsertCell"/> updates it).</summary>
    public IReadOnlyList<NotebookCell> Cells { get; private set; }

    /// <summary>Notebook-level metadata (created when missing).</summary>
    public JsonObject Metadata => Root["metadata"] as JsonObject ?? (JsonObject)(Root["metadata"] = new JsonObject());

    /// <summary>
    /// Creates a notebook with the metadata VS Code Polyglot Notebooks writes for a C# notebook (nbformat 4.5,
    /// kernelspec <c>.net-csharp</c>, <c>polyglot_notebook.kernelInfo</c>).
    /// </summary>
    public static Notebook CreatePolyglot(IEnumerable<NotebookCell> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var root = new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select(c => (JsonNode)c.Json).ToArray()),
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
                ["language_info"] = new JsonObject { ["name"] = "C#" },
                ["polyglot_notebook"] = new JsonObject
                {
                    ["kernelInfo"] = new JsonObject
                    {
                        ["defaultKernelName"] = "csharp",
                        ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
                    },
                },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        return new Notebook(root, null);
    }

    /// <summary>Reads a notebook file.</summary>
    /// <exception cref="NotebookException">The file is missing or is not a JSON notebook; the message names the file.</exception>
    public static Notebook Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new NotebookException($"notebook '{path}' does not exist.");
        return Parse(File.ReadAllText(path, Encoding.UTF8), path);
    }

    /// <summary>Parses notebook JSON; <paramref name="path"/> only names the source in error messages.</summary>
    /// <exception cref="NotebookException">The text is not JSON or not a notebook.</exception>
    public static Notebook Parse(string json, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw new NotebookException($"{Describe(path)} is not valid JSON: {e.Message}", e);
        }
        return node is JsonObject root
            ? new Notebook(root, path)
            : throw new NotebookException($"{Describe(path)} is not a JSON object; not a Jupyter notebook.");
    }

    /// <summary>Inserts <paramref name="cell"/> at position <paramref name="index"/> of the cell list.</summary>
    public void InsertCell(int index, NotebookCell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        ((JsonArray)Root["cells"]!).Insert(index, cell.Json);
        var list = Cells.ToList();
        list.Insert(index, cell);
        Cells = list;
    }

    /// <summary>The notebook as JSON the way Jupyter writes it: one-space indentation, non-ASCII kept, final newline.</summary>
    public string ToJson() => Root.ToJsonString(WriteOptions) + "\n";

    /// <summary>Writes the notebook to <paramref name="path"/> atomically (temporary file in the same folder, then
    /// rename), creating the folder when needed.</summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = System.IO.Path.GetFullPath(path);
        string folder = System.IO.Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        string temp = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllText(temp, ToJson(), new UTF8Encoding(false));
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    internal static string Describe(string? path) => path is null ? "notebook" : $"notebook '{path}'";

    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

/// <summary>One cell of a <see cref="Notebook"/>, a view over its JSON object.</summary>
public sealed class NotebookCell
{
    internal NotebookCell(JsonObject json) => Json = json;

    /// <summary>The cell's JSON object.</summary>
    public JsonObject Json { get; }

    /// <summary><c>code</c>, <c>markdown</c> or <c>raw</c>.</summary>
    public string? CellType => Json["cell_type"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>Whether this is a code cell.</summary>
    public bool IsCode => CellType == "code";

    /// <summary>The cell id (nbformat 4.5), if present.</summary>
    public string? Id => Json["id"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>The source text (nbformat allows a string or a list of lines; both are joined).</summary>
    /// <exception cref="NotebookException">The source is neither.</exception>
    public string Source => Json["source"] switch
    {
        null => string.Empty,
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonArray a when a.All(l => l is JsonValue lv && lv.TryGetValue(out string? _)) =>
            string.Concat(a.Select(l => l!.GetValue<string>())),
        _ => throw new NotebookException($"cell '{Id}' has a \"source\" that is neither a string nor a list of strings."),
    };

    /// <summary>Cell metadata (created when missing).</summary>
    public JsonObject Metadata => Json["metadata"] as JsonObject ?? (JsonObject)(Json["metadata"] = new JsonObject());

    /// <summary>The tags in <c>metadata.tags</c>.</summary>
    public IReadOnlyList<string> Tags =>
        Json["metadata"]?["tags"] is JsonArray tags
            ? tags.OfType<JsonValue>().Select(t => t.TryGetValue(out string? s) ? s : null).OfType<string>().ToList()
            : [];

    /// <summary>Creates a Markdown cell.</summary>
    public static NotebookCell CreateMarkdown(string id, string source) => new(new JsonObject
    {
        ["cell_type"] = "markdown",
        ["id"] = id,
        ["metadata"] = new JsonObject(),
        ["source"] = NotebookText.ToLines(source),
    });

    /// <summary>Creates a new code cell with Polyglot metadata, no outputs and the given tags.</summary>
    public static NotebookCell CreateCode(string id, string source, params string[] tags)
    {
        var metadata = new JsonObject
        {
            ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
            ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
            ["vscode"] = new JsonObject { ["languageId"] = "polyglot-notebook" },
        };
        if (tags.Length > 0) metadata["tags"] = new JsonArray(tags.Select(t => (JsonNode)JsonValue.Create(t)).ToArray());
        return new NotebookCell(new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["id"] = id,
            ["metadata"] = metadata,
            ["outputs"] = new JsonArray(),
            ["source"] = NotebookText.ToLines(source),
        });
    }
}

/// <summary>nbformat's multi-line strings: lists of lines, each but the last ending in <c>\n</c>.</summary>
internal static class NotebookText
{
    public static JsonArray ToLines(string text)
    {
        var lines = new JsonArray();
        int start = 0;
        while (start < text.Length)
        {
            int nl = text.IndexOf('\n', start);
            int end = nl < 0 ? text.Length : nl + 1;
            lines.Add(JsonValue.Create(text[start..end]));
            start = end;
        }
        return lines;
    }
}
