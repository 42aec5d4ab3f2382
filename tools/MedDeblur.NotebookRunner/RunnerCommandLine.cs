using System.CommandLine;
using System.Globalization;

namespace MedDeblur.NotebookRunner;

/// <summary>
/// The <c>meddeblur-notebook</c> command line: <c>run NOTEBOOK [--output OUT] [--param k=v ...] [--timeout-seconds N]</c>
/// and <c>check NOTEBOOK...</c>.
/// </summary>
/// <remarks>Exit codes: 0 success; 1 a cell failed (the executed notebook is still written) or check found problems;
/// 2 the notebook could not be run at all (missing file, invalid JSON, unknown parameter, bad command line).</remarks>
public static class RunnerCommandLine
{
    /// <summary>Every cell succeeded / no problem found.</summary>
    public const int Success = 0;

    /// <summary>A cell failed, or validation found problems.</summary>
    public const int Failed = 1;

    /// <summary>The input could not be used (file, JSON, parameters, options).</summary>
    public const int InvalidInput = 2;

    /// <summary>Parses <paramref name="args"/> and runs the verb.</summary>
    public static async Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("Runs and checks the MedDeblur.NET notebooks headless (Roslyn scripting, papermill-style output).")
        {
            RunCommand(), CheckCommand(),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("see meddeblur-notebook --help");
            return InvalidInput;
        }
        return await parse.InvokeAsync();
    }

    /// <summary>
    /// <c>run NOTEBOOK... [--output FILE | --output-dir DIR] [--param k=v]... [--timeout-seconds N]</c>: executes one or
    /// more notebooks in the given order (later notebooks may use what earlier ones wrote), writes each executed copy,
    /// and stops at the first failing notebook.
    /// </summary>
    private static Command RunCommand()
    {
        var notebooks = new Argument<FileInfo[]>("notebooks") { Description = "the .ipynb file(s) to execute, in order", Arity = ArgumentArity.OneOrMore };
        var output = new Option<FileInfo?>("--output", "-o")
        {
            Description = "where to write the executed notebook (one notebook; default: NAME.executed.ipynb beside the input)",
        };
        var outputDir = new Option<DirectoryInfo?>("--output-dir")
        {
            Description = "folder for the executed copies (NAME.ipynb each), e.g. the folder of a reproduce run",
        };
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "name=value for a variable of the 'parameters' cell (repeatable; applied to every notebook that declares it)",
            DefaultValueFactory = _ => [],
        };
        var timeout = new Option<double?>("--timeout-seconds") { Description = "longest time one cell may run" };
        var command = new Command("run", "Execute the C# cells in order and write the executed notebook(s).")
        {
            notebooks, output, outputDir, parameters, timeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            var inputs = parse.GetValue(notebooks) ?? [];
            try
            {
                if (inputs.Length > 1 && parse.GetValue(output) is not null)
                    throw new NotebookException("--output names one file: with several notebooks use --output-dir.");
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var p in parse.GetValue(parameters) ?? [])
                {
                    var (k, v) = NotebookParameters.ParseAssignment(p);
                    values[k] = v;
                }
                double? seconds = parse.GetValue(timeout);
                if (seconds is <= 0)
                    throw new NotebookException($"--timeout-seconds {seconds.Value.ToString(CultureInfo.InvariantCulture)}: must be positive.");
                var declaredBy = inputs.ToDictionary(i => i.FullName, DeclaredParameters, StringComparer.Ordinal);
                if (inputs.Length > 1)
                {
                    // with one notebook the executor rejects an unknown name (listing the declared ones); with several, each
                    // notebook gets only the names it declares, so a name that none declares (a typo) must fail here
                    foreach (var name in values.Keys.Where(k => !declaredBy.Values.Any(d => d.Contains(k))))
                        throw new NotebookException(
                            $"--param {name}: no notebook declares '{name}' in its parameters cell ({string.Join(", ", inputs.Select(i => i.Name))}); " +
                            $"declared: {string.Join(", ", declaredBy.Values.SelectMany(d => d).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))}.");
                }
                foreach (var input in inputs)
                {
                    string outPath = parse.GetValue(output)?.FullName
                        ?? (parse.GetValue(outputDir) is { } dir
                            ? Path.Combine(dir.FullName, input.Name)
                            : Path.Combine(input.DirectoryName ?? ".", Path.GetFileNameWithoutExtension(input.Name) + ".executed.ipynb"));
                    var declared = declaredBy[input.FullName];
                    var mine = inputs.Length == 1 ? values : values.Where(v => declared.Contains(v.Key)).ToDictionary();
                    var result = await NotebookExecutor.RunAsync(input.FullName, new NotebookRunOptions
                    {
                        Parameters = mine,
                        CellTimeout = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                    }, ct);
                    if (result.Notebook.Metadata["papermill"] is System.Text.Json.Nodes.JsonObject papermill) papermill["output_path"] = outPath;
                    result.Notebook.Save(outPath);
                    foreach (var note in result.Notes) Console.Error.WriteLine($"note: {note}");
                    if (result.FailedCell is { } failed)
                    {
                        Console.Error.WriteLine($"error: {input.Name}: {failed.Error?.EValue}");
                        Console.Error.WriteLine($"executed notebook written to {outPath}");
                        return Failed;
                    }
                    Console.WriteLine($"{input.Name}: {result.Cells.Count} code cells succeeded in " +
                                      $"{result.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s; wrote {outPath}");
                }
                return Success;
            }
            catch (NotebookException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return InvalidInput;
            }
        });
        return command;
    }

    private static HashSet<string> DeclaredParameters(FileInfo notebook)
    {
        var parametersCell = Notebook.Load(notebook.FullName).Cells.FirstOrDefault(c => c.Tags.Contains(NotebookParameters.ParametersTag));
        return (parametersCell is null ? [] : NotebookParameters.Parse(parametersCell.Source)).Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
    }

    private static Command CheckCommand()
    {
        var notebooks = new Argument<FileInfo[]>("notebooks") { Description = "the .ipynb files to check", Arity = ArgumentArity.OneOrMore };
        var command = new Command("check",
            "Check committed notebooks: Polyglot metadata, no outputs, #r \"nuget:\" pinned to Directory.Packages.props, one parameters cell.")
        {
            notebooks,
        };
        command.SetAction(parse =>
        {
            int count = 0;
            var files = parse.GetValue(notebooks) ?? [];
            foreach (var file in files)
            {
                var problems = NotebookValidator.Validate(file.FullName);
                foreach (var problem in problems) Console.Error.WriteLine(problem);
                count += problems.Count;
            }
            Console.WriteLine($"{files.Length} notebook(s) checked, {count} problem(s).");
            return count == 0 ? Success : Failed;
        });
        return command;
    }
}
