using System.CommandLine;
using System.Globalization;

namespace MedDeblur.NotebookRunner;

/// <summary>
/// The <c>meddeblur-notebook</c> command line: <c>run NOTEBOOK... [--output OUT | --output-dir DIR] [--param k=v ...]
/// [--timeout-seconds N] [--kernel Tool|InProcess]</c>.
/// </summary>
/// <remarks>Exit codes: 0 success; 1 a cell failed (the executed notebook is still written);
/// 2 the notebook could not be run at all (missing file, invalid JSON, unknown parameter, bad command line).</remarks>
public static class RunnerCommandLine
{
    /// <summary>Every cell succeeded.</summary>
    public const int Success = 0;

    /// <summary>A cell failed.</summary>
    public const int Failed = 1;

    /// <summary>The input could not be used (file, JSON, parameters, options).</summary>
    public const int InvalidInput = 2;

    /// <summary>Parses <paramref name="args"/> and runs the verb.</summary>
    public static async Task<int> InvokeAsync(string[] args)
    {
        var parse = new RootCommand("Runs the MedDeblur.NET notebooks in the .NET Interactive C# kernel, papermill-style output.") { RunCommand() }.Parse(args);
        foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
        return parse.Errors.Count > 0 ? InvalidInput : await parse.InvokeAsync();
    }

    private static Command RunCommand()
    {
        var notebooks = new Argument<FileInfo[]>("notebooks") { Description = "the .ipynb file(s) to execute, in order", Arity = ArgumentArity.OneOrMore };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "the executed notebook (one notebook; default NAME.executed.ipynb beside it)" };
        var outputDir = new Option<DirectoryInfo?>("--output-dir") { Description = "folder for the executed copies (NAME.ipynb each)" };
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "name=value for a variable of the 'parameters' cell (repeatable; given to every notebook that declares it)",
            DefaultValueFactory = _ => [],
        };
        var timeout = new Option<double?>("--timeout-seconds") { Description = "longest time one cell may run" };
        var kernel = new Option<NotebookKernel>("--kernel")
        {
            Description = "Tool: the dotnet-interactive tool in its own process, as VS Code runs it (default); InProcess: inside this process",
            DefaultValueFactory = _ => NotebookKernel.Tool,
        };
        var command = new Command("run", "Execute the notebooks in order, each in a fresh C# kernel, and write the executed copies.")
            { notebooks, output, outputDir, parameters, timeout, kernel };
        command.SetAction(async (parse, ct) =>
        {
            var inputs = parse.GetValue(notebooks) ?? [];
            try
            {
                if (inputs.Length > 1 && parse.GetValue(output) is not null)
                    throw new NotebookException("--output names one file: with several notebooks use --output-dir.");
                if (parse.GetValue(timeout) is <= 0) throw new NotebookException("--timeout-seconds must be positive.");
                var values = (parse.GetValue(parameters) ?? []).Select(NotebookParameters.ParseAssignment)
                    .GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
                var declared = inputs.ToDictionary(i => i.FullName, i => Declared(i.FullName));
                if (inputs.Length > 1 && values.Keys.FirstOrDefault(k => !declared.Values.Any(d => d.Contains(k))) is { } unknown)
                    throw new NotebookException(
                        $"--param {unknown}: no notebook declares '{unknown}' in its parameters cell ({string.Join(", ", inputs.Select(i => i.Name))}); " +
                        $"declared: {string.Join(", ", declared.Values.SelectMany(d => d).Distinct().Order(StringComparer.Ordinal))}.");
                foreach (var input in inputs)
                {
                    string outPath = parse.GetValue(output)?.FullName
                        ?? Path.Combine(parse.GetValue(outputDir)?.FullName ?? input.DirectoryName ?? ".",
                            parse.GetValue(outputDir) is null ? Path.GetFileNameWithoutExtension(input.Name) + ".executed.ipynb" : input.Name);
                    var mine = inputs.Length == 1 ? values : values.Where(v => declared[input.FullName].Contains(v.Key)).ToDictionary();
                    var result = await NotebookExecutor.RunAsync(input.FullName, new NotebookRunOptions
                    {
                        Parameters = mine,
                        CellTimeout = parse.GetValue(timeout) is { } s ? TimeSpan.FromSeconds(s) : null,
                        Kernel = parse.GetValue(kernel),
                    }, ct);
                    result.Save(outPath);
                    if (result.FailedCell is { } failed)
                    {
                        Console.Error.WriteLine($"error: {input.Name}: {failed.Error?.ErrorValue}");
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

    private static HashSet<string> Declared(string path)
    {
        var cell = NotebookExecutor.Read(path).Elements.FirstOrDefault(c => NotebookExecutor.Tags(c).Contains(NotebookParameters.ParametersTag));
        return (cell is null ? [] : NotebookParameters.Parse(cell.Contents)).Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
    }
}
