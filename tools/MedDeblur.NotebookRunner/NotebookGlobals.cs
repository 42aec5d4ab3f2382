namespace MedDeblur.NotebookRunner;

/// <summary>
/// The globals of the scripting session: members every cell can call unqualified, mirroring the helpers the
/// .NET Interactive C# kernel imports with <c>using static Microsoft.DotNet.Interactive.Kernel</c>.
/// </summary>
public sealed class NotebookGlobals
{
    internal CellOutputCollector? Current { get; set; }

    /// <summary>
    /// Shows <paramref name="value"/> as a <c>display_data</c> output of the running cell: with no MIME types, as the
    /// kernel does (HTML for objects, including MedDeblur's HTML-capable results, plus plain text); otherwise exactly
    /// the given types, e.g. <c>display("&lt;b&gt;x&lt;/b&gt;", "text/html")</c>.
    /// </summary>
    /// <returns>A handle whose <see cref="DisplayedValue.Update"/> replaces this output (e.g. for progress).</returns>
    public DisplayedValue display(object? value, params string[] mimeTypes)
    {
        var cell = Current ?? throw new InvalidOperationException("display() was called outside a running cell.");
        var handle = new DisplayedValue(cell, mimeTypes);
        handle.Show(value);
        return handle;
    }
}

/// <summary>A displayed output that can be replaced in place, like .NET Interactive's <c>DisplayedValue</c>.</summary>
public sealed class DisplayedValue
{
    private readonly CellOutputCollector cell;
    private readonly string[] mimeTypes;
    private int index = -1;

    internal DisplayedValue(CellOutputCollector cell, string[] mimeTypes)
    {
        this.cell = cell;
        this.mimeTypes = mimeTypes;
    }

    internal void Show(object? value) => index = cell.AddDisplay(MimeBundles.Format(value, mimeTypes));

    /// <summary>Replaces the displayed output with <paramref name="value"/> (formatted with the same MIME types).</summary>
    public void Update(object? value) => cell.ReplaceDisplay(index, MimeBundles.Format(value, mimeTypes));
}

/// <summary>Collects a cell's outputs in order: stream text, displays, the result and an error.</summary>
internal sealed class CellOutputCollector
{
    private readonly List<CellOutput> outputs = [];
    private readonly object gate = new();

    public IReadOnlyList<CellOutput> Snapshot()
    {
        lock (gate) return outputs.ToList();
    }

    public void Add(CellOutput output)
    {
        lock (gate) outputs.Add(output);
    }

    public void AppendStream(string name, string text)
    {
        if (text.Length == 0) return;
        lock (gate)
        {
            if (outputs.Count > 0 && outputs[^1] is StreamOutput last && last.Name == name)
                outputs[^1] = last with { Text = last.Text + text };
            else
                outputs.Add(new StreamOutput(name, text));
        }
    }

    public int AddDisplay(IReadOnlyDictionary<string, string> data)
    {
        lock (gate)
        {
            outputs.Add(new DisplayDataOutput(data));
            return outputs.Count - 1;
        }
    }

    public void ReplaceDisplay(int index, IReadOnlyDictionary<string, string> data)
    {
        lock (gate) outputs[index] = new DisplayDataOutput(data);
    }
}

/// <summary>A <see cref="TextWriter"/> that appends to one stream of a cell (installed as Console.Out / Console.Error).</summary>
internal sealed class CellStreamWriter(CellOutputCollector cell, string name) : TextWriter
{
    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    public override void Write(char value) => cell.AppendStream(name, value.ToString());

    public override void Write(string? value) => cell.AppendStream(name, value ?? string.Empty);

    public override void Write(char[] buffer, int index, int count) => cell.AppendStream(name, new string(buffer, index, count));

    public override void WriteLine(string? value) => cell.AppendStream(name, (value ?? string.Empty) + CoreNewLineStr);

    private string CoreNewLineStr => new(CoreNewLine);
}
