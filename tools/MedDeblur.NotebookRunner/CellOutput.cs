using System.Text.Json.Nodes;

namespace MedDeblur.NotebookRunner;

/// <summary>One output of an executed code cell, as nbformat 4 defines it.</summary>
public abstract record CellOutput
{
    /// <summary>The nbformat <c>output_type</c>.</summary>
    public abstract string OutputType { get; }

    /// <summary>The nbformat JSON of this output (multi-line text as lists of lines, like Jupyter writes it).</summary>
    public abstract JsonObject ToJson();

    /// <summary>A MIME bundle as nbformat JSON.</summary>
    protected static JsonObject Bundle(IReadOnlyDictionary<string, string> data)
    {
        var json = new JsonObject();
        foreach (var (mime, text) in data) json[mime] = NotebookText.ToLines(text);
        return json;
    }
}

/// <summary>Text written to <c>Console.Out</c> (<c>stdout</c>) or <c>Console.Error</c> (<c>stderr</c>).</summary>
/// <param name="Name"><c>stdout</c> or <c>stderr</c>.</param>
/// <param name="Text">Everything written, consecutive writes to the same stream joined.</param>
public sealed record StreamOutput(string Name, string Text) : CellOutput
{
    /// <inheritdoc />
    public override string OutputType => "stream";

    /// <inheritdoc />
    public override JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["output_type"] = OutputType,
        ["text"] = NotebookText.ToLines(Text),
    };
}

/// <summary>A value shown with <c>display(...)</c>: a MIME bundle (MIME type → text).</summary>
/// <param name="Data">The bundle, e.g. <c>text/html</c> and <c>text/plain</c>.</param>
public sealed record DisplayDataOutput(IReadOnlyDictionary<string, string> Data) : CellOutput
{
    /// <inheritdoc />
    public override string OutputType => "display_data";

    /// <inheritdoc />
    public override JsonObject ToJson() => new()
    {
        ["data"] = Bundle(Data),
        ["metadata"] = new JsonObject(),
        ["output_type"] = OutputType,
    };
}

/// <summary>The value of the cell's trailing expression.</summary>
/// <param name="ExecutionCount">The cell's execution count.</param>
/// <param name="Data">The MIME bundle.</param>
public sealed record ExecuteResultOutput(int ExecutionCount, IReadOnlyDictionary<string, string> Data) : CellOutput
{
    /// <inheritdoc />
    public override string OutputType => "execute_result";

    /// <inheritdoc />
    public override JsonObject ToJson() => new()
    {
        ["data"] = Bundle(Data),
        ["execution_count"] = ExecutionCount,
        ["metadata"] = new JsonObject(),
        ["output_type"] = OutputType,
    };
}

/// <summary>A compile error, runtime exception or timeout that stopped the notebook.</summary>
/// <param name="EName">The exception type name, e.g. <c>CompilationErrorException</c>.</param>
/// <param name="EValue">The message, starting with the cell that failed (e.g. <c>cell 3 (id 'abc'): ...</c>).</param>
/// <param name="Traceback">Compiler diagnostics or the stack trace, one entry per line.</param>
public sealed record ErrorOutput(string EName, string EValue, IReadOnlyList<string> Traceback) : CellOutput
{
    /// <inheritdoc />
    public override string OutputType => "error";

    /// <inheritdoc />
    public override JsonObject ToJson() => new()
    {
        ["ename"] = EName,
        ["evalue"] = EValue,
        ["output_type"] = OutputType,
        ["traceback"] = new JsonArray(Traceback.Select(l => (JsonNode)JsonValue.Create(l)).ToArray()),
    };
}
