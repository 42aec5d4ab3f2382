using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace MedDeblur.NotebookRunner;

/// <summary>Settings of one notebook run.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Values for the variables of the <c>parameters</c> cell (name → text, typed by the declaration).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Longest time one cell may run; null = no limit. A cell over the limit fails with a
    /// <see cref="TimeoutException"/> error output (its code cannot be aborted and finishes in the background).</summary>
    public TimeSpan? CellTimeout { get; init; }

    /// <summary>Central versions the <c>#r "nuget:"</c> lines are checked against; null = the
    /// <c>Directory.Packages.props</c> found by walking up from the notebook's folder.</summary>
    public CentralPackageVersions? CentralPackages { get; init; }

    /// <summary>Make the notebook's folder the current directory while it runs (as the kernel does); default true.</summary>
    public bool RunInNotebookDirectory { get; init; } = true;
}

/// <summary>How one code cell ended.</summary>
public enum CellRunStatus
{
    /// <summary>Ran without error.</summary>
    Succeeded,

    /// <summary>Failed (directive, compile error, exception or timeout); the run stopped here.</summary>
    Failed,

    /// <summary>Not run because an earlier cell failed.</summary>
    NotRun,
}

/// <summary>What happened to one code cell.</summary>
/// <param name="Position">0-based position in the executed notebook's cell list.</param>
/// <param name="Label">How messages name it: <c>cell N</c> (1-based in the original notebook) or
/// <c>injected-parameters cell</c>.</param>
/// <param name="Id">The cell id.</param>
/// <param name="Status">How it ended.</param>
/// <param name="ExecutionCount">Its execution count, null when not run.</param>
/// <param name="Outputs">Its outputs in order.</param>
/// <param name="Duration">Wall-clock time (zero when not run).</param>
public sealed record CellRun(int Position, string Label, string? Id, CellRunStatus Status, int? ExecutionCount,
    IReadOnlyList<CellOutput> Outputs, TimeSpan Duration)
{
    /// <summary>The concatenated <c>stdout</c> text.</summary>
    public string Stdout => string.Concat(Outputs.OfType<StreamOutput>().Where(s => s.Name == "stdout").Select(s => s.Text));

    /// <summary>The concatenated <c>stderr</c> text.</summary>
    public string Stderr => string.Concat(Outputs.OfType<StreamOutput>().Where(s => s.Name == "stderr").Select(s => s.Text));

    /// <summary>The error output, if the cell failed.</summary>
    public ErrorOutput? Error => Outputs.OfType<ErrorOutput>().FirstOrDefault();
}

/// <summary>The result of <see cref="NotebookExecutor.RunAsync(string, NotebookRunOptions?, CancellationToken)"/>.</summary>
/// <param name="Notebook">The executed notebook (outputs, execution counts, timing metadata); save it with
/// <see cref="Notebook.Save"/>.</param>
/// <param name="Cells">Every code cell (including an injected parameters cell), in order.</param>
/// <param name="Notes">Directives that were skipped or replaced, in order.</param>
/// <param name="Duration">Wall-clock time of the run.</param>
public sealed record NotebookRunResult(Notebook Notebook, IReadOnlyList<CellRun> Cells, IReadOnlyList<string> Notes, TimeSpan Duration)
{
    /// <summary>Whether every code cell ran without error.</summary>
    public bool Succeeded => Cells.All(c => c.Status == CellRunStatus.Succeeded);

    /// <summary>The cell that stopped the run, if any.</summary>
    public CellRun? FailedCell => Cells.FirstOrDefault(c => c.Status == CellRunStatus.Failed);

    /// <summary>All outputs of all cells, in order.</summary>
    public IEnumerable<CellOutput> Outputs => Cells.SelectMany(c => c.Outputs);
}

/// <summary>
/// Executes a notebook's C# code cells in order in one Roslyn scripting session (the C# script dialect of the
/// .NET Interactive kernel) and records the outputs papermill-style in the notebook. Markdown and raw cells are kept
/// untouched. Execution stops at the first failing cell; the executed notebook is returned either way.
/// </summary>
/// <remarks>
/// The session imports what the kernel imports (System, System.Text, System.Collections, System.Collections.Generic,
/// System.Threading.Tasks, System.Linq, Microsoft.DotNet.Interactive.Formatting) and offers
/// <c>display(value, params mimeTypes)</c> (<see cref="NotebookGlobals"/>). Notebook directives are handled by
/// <see cref="CellDirectives"/>; packages come from the runner host, which references MedDeblur.Core and so
/// TorchSharp and every library dependency.
/// </remarks>
public static class NotebookExecutor
{
    private static readonly string[] Imports =
    [
        "System", "System.Text", "System.Collections", "System.Collections.Generic", "System.Threading.Tasks",
        "System.Linq", "Microsoft.DotNet.Interactive.Formatting",
    ];

    /// <summary>Reads and executes the notebook at <paramref name="path"/>.</summary>
    /// <exception cref="NotebookException">The notebook cannot be read, or a parameter is unknown or malformed; no
    /// cell has run then.</exception>
    public static Task<NotebookRunResult> RunAsync(string path, NotebookRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        var notebook = Notebook.Load(path);
        return RunAsync(notebook, Path.GetDirectoryName(Path.GetFullPath(path))!, options, cancellationToken);
    }

    /// <summary>Executes <paramref name="notebook"/> (modified in place) with relative paths resolved against
    /// <paramref name="notebookDirectory"/>.</summary>
    /// <exception cref="NotebookException">A parameter is unknown or malformed, or the parameters cell is invalid.</exception>
    public static async Task<NotebookRunResult> RunAsync(Notebook notebook, string notebookDirectory, NotebookRunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        ArgumentNullException.ThrowIfNull(notebookDirectory);
        options ??= new NotebookRunOptions();
        var central = options.CentralPackages ?? CentralPackageVersions.TryFindFrom(notebookDirectory);

        // Labels refer to the original positions, before a parameters cell is injected.
        var labels = notebook.Cells.Select((c, i) => (c, $"cell {i + 1}")).ToDictionary(p => p.c, p => p.Item2);
        var parameterValues = InjectParameters(notebook, options.Parameters, labels);

        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        var runs = new List<CellRun>();
        var notes = new List<string>();
        var globals = new NotebookGlobals();
        var scriptOptions = BaseOptions(notebookDirectory);
        Script<object>? script = null;
        ScriptState<object>? state = null;
        bool failed = false;
        int executionCount = 0;
        string? previousDirectory = null;
        if (options.RunInNotebookDirectory)
        {
            previousDirectory = Environment.CurrentDirectory;
            Environment.CurrentDirectory = notebookDirectory;
        }
        try
        {
            for (int position = 0; position < notebook.Cells.Count; position++)
            {
                var cell = notebook.Cells[position];
                if (!cell.IsCode) continue;
                string label = labels[cell];
                if (failed)
                {
                    ClearOutputs(cell);
                    SetCellMetadata(cell, null, null, "pending");
                    runs.Add(new CellRun(position, label, cell.Id, CellRunStatus.NotRun, null, [], TimeSpan.Zero));
                    continue;
                }
                cancellationToken.ThrowIfCancellationRequested();
                int count = ++executionCount;
                var collector = new CellOutputCollector();
                var cellStart = DateTimeOffset.UtcNow;
                var cellClock = Stopwatch.StartNew();
                string where = cell.Id is null ? label : $"{label} (id '{cell.Id}')";

                var prepared = CellDirectives.Prepare(cell.Source, label, central, notebookDirectory);
                notes.AddRange(prepared.Notes);
                if (prepared.Error is not null)
                {
                    collector.Add(new ErrorOutput(nameof(NotebookException), $"{where}: {prepared.Error}", [prepared.Error]));
                    failed = true;
                }
                else
                {
                    scriptOptions = scriptOptions.AddReferences(prepared.References.Distinct().Select(p => MetadataReference.CreateFromFile(p)));
                    script = script is null
                        ? CSharpScript.Create<object>(prepared.Code, scriptOptions, typeof(NotebookGlobals))
                        : script.ContinueWith<object>(prepared.Code, scriptOptions);
                    (state, var error) = await RunCellAsync(script, state, globals, collector, options.CellTimeout, cancellationToken);
                    if (error is not null)
                    {
                        collector.Add(ToErrorOutput(error, where, options.CellTimeout));
                        failed = true;
                    }
                    else if (HasReturnValue(script))
                    {
                        collector.Add(new ExecuteResultOutput(count, MimeBundles.Format(state!.ReturnValue)));
                    }
                }
                var outputs = collector.Snapshot();
                WriteOutputs(cell, count, outputs);
                SetCellMetadata(cell, cellStart, DateTimeOffset.UtcNow, failed ? "failed" : "completed");
                runs.Add(new CellRun(position, label, cell.Id, failed ? CellRunStatus.Failed : CellRunStatus.Succeeded, count,
                    outputs, cellClock.Elapsed));
            }
        }
        finally
        {
            if (previousDirectory is not null) Environment.CurrentDirectory = previousDirectory;
        }
        SetNotebookMetadata(notebook, parameterValues, started, clock.Elapsed, failed);
        return new NotebookRunResult(notebook, runs, notes, clock.Elapsed);
    }

    private static async Task<(ScriptState<object>? State, Exception? Error)> RunCellAsync(Script<object> script, ScriptState<object>? previous,
        NotebookGlobals globals, CellOutputCollector collector, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var diagnostics = script.Compile(cancellationToken);
        if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            return (previous, new CompilationErrorException(string.Join("\n", diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)), diagnostics));

        var stdout = Console.Out;
        var stderr = Console.Error;
        globals.Current = collector;
        Console.SetOut(new CellStreamWriter(collector, "stdout"));
        Console.SetError(new CellStreamWriter(collector, "stderr"));
        try
        {
            // Task.Run so a cell that computes without awaiting can still be timed out.
            var run = Task.Run(() => previous is null
                ? script.RunAsync(globals, cancellationToken: cancellationToken)
                : script.RunFromAsync(previous, cancellationToken: cancellationToken), cancellationToken);
            var state = timeout is { } limit ? await run.WaitAsync(limit, cancellationToken) : await run;
            return (state, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (previous, e);
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    /// <summary>
    /// Whether the submission ends with an expression that has a value (no semicolon, type not void), i.e. what
    /// the kernel shows as the cell's result. Roslyn's own check (<c>Compilation.HasSubmissionResult</c>) is internal.
    /// </summary>
    private static bool HasReturnValue(Script script)
    {
        var compilation = script.GetCompilation();
        var tree = compilation.SyntaxTrees.LastOrDefault();
        if (tree?.GetRoot() is not Microsoft.CodeAnalysis.CSharp.Syntax.CompilationUnitSyntax root) return false;
        if (root.Members.LastOrDefault() is not Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax
            {
                Statement: Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionStatementSyntax { SemicolonToken.IsMissing: true } statement,
            })
            return false;
        var type = compilation.GetSemanticModel(tree).GetTypeInfo(statement.Expression).Type;
        return type is not null && type.SpecialType != SpecialType.System_Void;
    }

    private static ScriptOptions BaseOptions(string notebookDirectory)
    {
        var references = new[]
        {
            typeof(object).Assembly, typeof(Enumerable).Assembly, typeof(List<>).Assembly, typeof(Console).Assembly,
            typeof(Task<>).Assembly, typeof(Microsoft.DotNet.Interactive.Formatting.Formatter).Assembly,
        }.Concat(FrameworkAssemblies()).Distinct();
        return ScriptOptions.Default
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithReferences(references)
            .WithImports(Imports)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(notebookDirectory))
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(notebookDirectory))
            .WithEmitDebugInformation(false)
            .WithOptimizationLevel(OptimizationLevel.Release);
    }

    /// <summary>The facades every compilation against implementation assemblies needs (System.Runtime, netstandard).</summary>
    private static IEnumerable<Assembly> FrameworkAssemblies()
    {
        foreach (var name in new[] { "System.Runtime", "netstandard", "System.Collections", "System.Linq", "System.IO", "System.Text.Json" })
        {
            Assembly? a = null;
            try
            {
                a = Assembly.Load(new AssemblyName(name));
            }
            catch (FileNotFoundException)
            {
            }
            if (a is not null) yield return a;
        }
    }

    /// <summary>Inserts the injected-parameters cell; returns the typed values for the notebook metadata.</summary>
    private static JsonObject InjectParameters(Notebook notebook, IReadOnlyDictionary<string, string> values, Dictionary<NotebookCell, string> labels)
    {
        var parameterCells = notebook.Cells.Where(c => c.IsCode && c.Tags.Contains(NotebookParameters.ParametersTag)).ToList();
        if (values.Count == 0) return [];
        string file = Notebook.Describe(notebook.Path);
        if (parameterCells.Count != 1)
            throw new NotebookException(
                $"{file}: parameters were given ({string.Join(", ", values.Keys)}) but the notebook has " +
                $"{parameterCells.Count} code cells tagged '{NotebookParameters.ParametersTag}' (expected exactly one).");
        var declared = NotebookParameters.Parse(parameterCells[0].Source);
        string source = NotebookParameters.BuildInjectedSource(declared, values);
        var injected = NotebookCell.CreateCode(NotebookParameters.InjectedTag, source, NotebookParameters.InjectedTag);
        notebook.InsertCell(notebook.Cells.ToList().IndexOf(parameterCells[0]) + 1, injected);
        labels[injected] = "injected-parameters cell";
        var typed = new JsonObject();
        foreach (var (name, text) in values)
            typed[name] = NotebookParameters.ParseValue(declared.First(d => d.Name == name), text) switch
            {
                int i => JsonValue.Create(i),
                double d when double.IsFinite(d) => JsonValue.Create(d),
                bool b => JsonValue.Create(b),
                var other => JsonValue.Create(Convert.ToString(other, CultureInfo.InvariantCulture)),
            };
        return typed;
    }

    private static ErrorOutput ToErrorOutput(Exception error, string where, TimeSpan? timeout)
    {
        if (error is TimeoutException && timeout is { } limit)
        {
            string message = $"{where}: did not finish within {limit.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (--timeout-seconds).";
            return new ErrorOutput(nameof(TimeoutException), message, [message]);
        }
        if (error is CompilationErrorException compile)
        {
            var lines = compile.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
            return new ErrorOutput(nameof(CompilationErrorException), $"{where}: {string.Join(" ", lines)}", lines);
        }
        if (error is AggregateException { InnerExceptions.Count: 1 } aggregate) error = aggregate.InnerException!;
        // The stack trace down to the cell's own frames; the Roslyn scripting frames below them say nothing.
        var traceback = error.ToString().Split('\n').Select(l => l.TrimEnd('\r'))
            .TakeWhile(l => !l.StartsWith("   at Microsoft.CodeAnalysis.Scripting.", StringComparison.Ordinal))
            .ToList();
        if (traceback.Count > 0 && traceback[^1].StartsWith("--- End of stack trace", StringComparison.Ordinal)) traceback.RemoveAt(traceback.Count - 1);
        return new ErrorOutput(error.GetType().Name, $"{where}: {error.Message}", traceback);
    }

    private static void ClearOutputs(NotebookCell cell)
    {
        cell.Json["outputs"] = new JsonArray();
        cell.Json["execution_count"] = null;
    }

    private static void WriteOutputs(NotebookCell cell, int count, IReadOnlyList<CellOutput> outputs)
    {
        cell.Json["execution_count"] = count;
        cell.Json["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)o.ToJson()).ToArray());
    }

    private static void SetCellMetadata(NotebookCell cell, DateTimeOffset? start, DateTimeOffset? end, string status)
    {
        cell.Metadata["papermill"] = new JsonObject
        {
            ["duration"] = start is { } s && end is { } e ? Math.Round((e - s).TotalSeconds, 6) : null,
            ["end_time"] = end?.ToString("O", CultureInfo.InvariantCulture),
            ["exception"] = status == "failed",
            ["start_time"] = start?.ToString("O", CultureInfo.InvariantCulture),
            ["status"] = status,
        };
    }

    private static void SetNotebookMetadata(Notebook notebook, JsonObject values, DateTimeOffset started, TimeSpan duration, bool failed)
    {
        notebook.Metadata["papermill"] = new JsonObject
        {
            ["duration"] = Math.Round(duration.TotalSeconds, 6),
            ["end_time"] = (started + duration).ToString("O", CultureInfo.InvariantCulture),
            ["exception"] = failed,
            ["input_path"] = notebook.Path,
            ["parameters"] = values,
            ["start_time"] = started.ToString("O", CultureInfo.InvariantCulture),
            ["version"] = "meddeblur-notebook " + (typeof(NotebookExecutor).Assembly.GetName().Version?.ToString() ?? "?"),
        };
    }
}
