using System.Diagnostics;
using System.Globalization;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Events;
using Jupyter = Microsoft.DotNet.Interactive.Documents.Jupyter.Notebook;

namespace MedDeblur.NotebookRunner;

/// <summary>Settings of one notebook run.</summary>
/// <param name="Parameters">Values for the variables of the <c>parameters</c> cell (name → text, typed by the declaration).</param>
/// <param name="CellTimeout">Longest time one cell may run; null = no limit. A cell over the limit is cancelled and fails.</param>
/// <param name="Kernel">Where the C# kernel runs: by default in the dotnet-interactive tool, as VS Code runs it.</param>
/// <param name="WorkingDirectory">The folder relative paths in the cells resolve against; null = the current directory.
/// The tool kernel gets it as its <c>--working-dir</c> and leaves this process's current directory alone; the in-process
/// kernel makes it the process's current directory for the run.</param>
public sealed record NotebookRunOptions(IReadOnlyDictionary<string, string>? Parameters = null, TimeSpan? CellTimeout = null,
    NotebookKernel Kernel = NotebookKernel.Tool, string? WorkingDirectory = null);

/// <summary>How one code cell ended: ran without error; failed (compile error, exception or timeout: the
/// run stopped there); not run because an earlier cell failed.</summary>
#pragma warning disable CS1591 // the members are described above
public enum CellRunStatus { Succeeded, Failed, NotRun }
#pragma warning restore CS1591

/// <summary>What happened to one code cell.</summary>
/// <param name="Label"><c>cell N</c> (1-based in the original notebook) or <c>injected-parameters cell</c>.</param>
/// <param name="Id">The cell id.</param>
/// <param name="Status">How it ended.</param>
/// <param name="ExecutionCount">Its execution count, null when not run.</param>
/// <param name="Outputs">Its outputs in order, as written into the executed notebook.</param>
/// <param name="Duration">Wall-clock time (zero when not run).</param>
public sealed record CellRun(string Label, string? Id, CellRunStatus Status, int? ExecutionCount,
    IReadOnlyList<InteractiveDocumentOutputElement> Outputs, TimeSpan Duration)
{
    /// <summary>The concatenated text of a stream (<c>stdout</c> or <c>stderr</c>).</summary>
    public string Stream(string name = "stdout") => string.Concat(Outputs.OfType<TextElement>().Where(s => s.Name == name).Select(s => s.Text));

    /// <summary>The error output, if the cell failed.</summary>
    public ErrorElement? Error => Outputs.OfType<ErrorElement>().FirstOrDefault();
}

/// <summary>The executed notebook and what happened to each code cell.</summary>
/// <param name="Document">The executed notebook (outputs, execution counts, papermill metadata).</param>
/// <param name="Cells">Every code cell (including an injected parameters cell), in order.</param>
/// <param name="Duration">Wall-clock time of the run.</param>
public sealed record NotebookRunResult(InteractiveDocument Document, IReadOnlyList<CellRun> Cells, TimeSpan Duration)
{
    /// <summary>Whether every code cell ran without error.</summary>
    public bool Succeeded => Cells.All(c => c.Status == CellRunStatus.Succeeded);

    /// <summary>The cell that stopped the run, if any.</summary>
    public CellRun? FailedCell => Cells.FirstOrDefault(c => c.Status == CellRunStatus.Failed);

    /// <summary>All outputs of all cells, in order.</summary>
    public IEnumerable<InteractiveDocumentOutputElement> Outputs => Cells.SelectMany(c => c.Outputs);

    /// <summary>Writes the executed notebook (.ipynb) atomically, creating the folder.</summary>
    public void Save(string path)
    {
        string full = Path.GetFullPath(path);
        if (Document.Metadata.TryGetValue("papermill", out var p) && p is IDictionary<string, object> papermill) papermill["output_path"] = full;
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp";
        File.WriteAllText(temp, Jupyter.ToJupyterJson(Document) + "\n");
        File.Move(temp, full, overwrite: true);
    }
}

/// <summary>
/// Executes a notebook's code cells in order in a fresh .NET Interactive C# kernel (by default the dotnet-interactive
/// tool in its own process, as VS Code Polyglot Notebooks runs it: <c>#r "nuget:"</c> restored for real, magics,
/// <c>display</c>, formatters; see <see cref="NotebookKernel"/>) and records each cell's events as its outputs, papermill-style. Markdown cells stay untouched; the run stops at the first failing
/// cell and the executed notebook is returned either way.
/// </summary>
public static class NotebookExecutor
{
    /// <summary>Reads the notebook at <paramref name="path"/> and executes it with its folder as working directory.</summary>
    /// <exception cref="NotebookException">The notebook cannot be read, or a parameter is unknown or malformed; no cell
    /// has run then.</exception>
    public static Task<NotebookRunResult> RunAsync(string path, NotebookRunOptions? options = null, CancellationToken cancellationToken = default) =>
        RunAsync(Read(path), path, (options ?? new NotebookRunOptions()) with { WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(path)) },
            cancellationToken);

    /// <summary>Parses an .ipynb file.</summary>
    /// <exception cref="NotebookException">Missing file or invalid JSON.</exception>
    public static InteractiveDocument Read(string path)
    {
        if (!File.Exists(path)) throw new NotebookException($"notebook '{path}' does not exist.");
        try { return Jupyter.Parse(File.ReadAllText(path)); }
        catch (System.Text.Json.JsonException e) { throw new NotebookException($"notebook '{path}' is not valid JSON: {e.Message}", e); }
    }

    /// <summary>Whether an element is a code cell (Jupyter markdown cells get the kernel name <c>markdown</c>).</summary>
    public static bool IsCode(InteractiveDocumentElement element) => element?.KernelName != "markdown";

    /// <summary>The tags of a cell (<c>metadata.tags</c>).</summary>
    public static IReadOnlyList<string> Tags(InteractiveDocumentElement element) =>
        element?.Metadata?.TryGetValue("tags", out var tags) == true && tags is IEnumerable<object> list ? list.OfType<string>().ToArray() : [];

    /// <summary>Executes <paramref name="document"/> (modified in place); relative paths resolve against
    /// <see cref="NotebookRunOptions.WorkingDirectory"/>.</summary>
    public static async Task<NotebookRunResult> RunAsync(InteractiveDocument document, string? path, NotebookRunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new NotebookRunOptions();
        var labels = document.Elements.Select((c, i) => (c, $"cell {i + 1}")).ToDictionary(p => p.c, p => p.Item2);
        var parameters = NotebookParameters.Inject(document, options.Parameters ?? new Dictionary<string, string>(), labels, path ?? "notebook");
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        var runs = new List<CellRun>();
        using var session = await KernelSession.StartAsync(options.Kernel, Path.GetFullPath(options.WorkingDirectory ?? Environment.CurrentDirectory), cancellationToken);
        var kernel = session.Kernel;
        bool failed = false;
        int count = 0;
        foreach (var cell in document.Elements.Where(IsCode))
        {
            string label = labels[cell];
            cell.Outputs.Clear();
            if (failed)
            {
                cell.ExecutionOrder = 0;
                SetPapermill(cell.Metadata ??= new Dictionary<string, object>(), null, TimeSpan.Zero, "pending");
                runs.Add(new CellRun(label, cell.Id, CellRunStatus.NotRun, null, [], TimeSpan.Zero));
                continue;
            }
            cell.ExecutionOrder = ++count;
            string where = cell.Id is null ? label : $"{label} (id '{cell.Id}')";
            var cellStart = DateTimeOffset.UtcNow;
            var cellClock = Stopwatch.StartNew();
            await RunCellAsync(kernel, cell, count, where, options.CellTimeout, cancellationToken);
            failed = cell.Outputs.OfType<ErrorElement>().Any();
            SetPapermill(cell.Metadata ??= new Dictionary<string, object>(), cellStart, cellClock.Elapsed, failed ? "failed" : "completed");
            runs.Add(new CellRun(label, cell.Id, failed ? CellRunStatus.Failed : CellRunStatus.Succeeded, count, cell.Outputs.ToArray(), cellClock.Elapsed));
        }
        document.Metadata["papermill"] = new Dictionary<string, object>
        {
            ["duration"] = Math.Round(clock.Elapsed.TotalSeconds, 6),
            ["end_time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["exception"] = failed,
            ["input_path"] = path is null ? "" : Path.GetFullPath(path),
            ["parameters"] = parameters,
            ["start_time"] = started.ToString("O", CultureInfo.InvariantCulture),
            ["version"] = "meddeblur-notebook " + typeof(NotebookExecutor).Assembly.GetName().Version,
        };
        return new NotebookRunResult(document, runs, clock.Elapsed);
    }

    private static async Task RunCellAsync(Kernel kernel, InteractiveDocumentElement cell, int count, string where, TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        var outputs = cell.Outputs;
        var displayed = new Dictionary<string, DisplayElement>(StringComparer.Ordinal);
        var submit = kernel.SendAsync(new SubmitCode(cell.Contents), cancellationToken);
        KernelCommandResult result;
        try { result = timeout is { } limit ? await submit.WaitAsync(limit, cancellationToken) : await submit; }
        catch (TimeoutException)
        {
            await kernel.SendAsync(new Cancel(), CancellationToken.None);
            string message = $"{where}: did not finish within {timeout!.Value.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (--timeout-seconds).";
            outputs.Add(new ErrorElement(message, nameof(TimeoutException), [message]));
            return;
        }
        foreach (var e in result.Events)
        {
            switch (e)
            {
                case StandardOutputValueProduced or StandardErrorValueProduced:
                    AddText(outputs, e is StandardOutputValueProduced ? "stdout" : "stderr", ((DisplayEvent)e).FormattedValues.FirstOrDefault()?.Value);
                    break;
                case DisplayedValueUpdated u when u.ValueId is { } id && displayed.TryGetValue(id, out var shown):
                    shown.Data.Clear();
                    foreach (var v in u.FormattedValues) shown.Data[v.MimeType] = v.Value;
                    break;
                case ReturnValueProduced r:
                    var value = new ReturnValueElement { ExecutionOrder = count };
                    foreach (var v in r.FormattedValues) value.Data[v.MimeType] = v.Value;
                    outputs.Add(value);
                    break;
                case DisplayEvent d:
                    var display = new DisplayElement(d.FormattedValues.ToDictionary(v => v.MimeType, v => (object)v.Value));
                    if (d.ValueId is { } valueId) displayed[valueId] = display;
                    outputs.Add(display);
                    break;
                case CommandFailed f:
                    outputs.Add(KernelSession.Error(f, where));
                    break;
            }
        }
    }

    private static void AddText(IList<InteractiveDocumentOutputElement> outputs, string stream, string? text)
    {
        if (string.IsNullOrEmpty(text)) return;
        if (outputs.Count > 0 && outputs[^1] is TextElement last && last.Name == stream) outputs[^1] = new TextElement(last.Text + text, stream);
        else outputs.Add(new TextElement(text, stream));
    }

    private static void SetPapermill(IDictionary<string, object> metadata, DateTimeOffset? start, TimeSpan duration, string status) =>
        metadata["papermill"] = new Dictionary<string, object>
        {
            ["duration"] = start is null ? null! : Math.Round(duration.TotalSeconds, 6),
            ["end_time"] = start is { } s ? (s + duration).ToString("O", CultureInfo.InvariantCulture) : null!,
            ["exception"] = status == "failed",
            ["start_time"] = start?.ToString("O", CultureInfo.InvariantCulture)!,
            ["status"] = status,
        };
}
