using System.Text.Json.Nodes;
using MedDeblur.Display;
using MedDeblur.NotebookRunner;
using Microsoft.DotNet.Interactive.Documents;

namespace MedDeblur.Tests.Notebooks;

/// <summary>The headless runner on the committed test notebooks and small in-memory ones.</summary>
public class NotebookRunnerTests
{
    [Fact]
    public async Task Succeeding_notebook_runs_every_cell_with_the_overridden_parameters()
    {
        var result = await NotebookExecutor.RunAsync(NotebookFixtures.Succeeds, new NotebookRunOptions
        {
            Kernel = NotebookKernel.InProcess,
            Parameters = new Dictionary<string, string> { ["preset"] = "smoke", ["size"] = "4" },
        });

        Assert.True(result.Succeeded, result.FailedCell?.Error?.ErrorValue);
        Assert.Equal(["cell 2", "cell 3", "injected-parameters cell", "cell 4", "cell 6"], result.Cells.Select(c => c.Label));
        Assert.Equal([1, 2, 3, 4, 5], result.Cells.Select(c => c.ExecutionCount ?? -1));

        var setup = result.Cells[0];
        Assert.Equal("cpu\n", setup.Stream());

        var compute = result.Cells[3];
        Assert.Equal("preset=smoke size=4 total=8 verbose=False\n", compute.Stream());
        Assert.Equal("a warning on stderr\n", compute.Stream("stderr"));
        var table = Assert.Single(compute.Outputs.OfType<DisplayElement>());
        var expected = new ResultsTable("run", ["preset", "size", "total"]).Add("smoke", 4, 8f);
        Assert.Equal(expected.ToHtml(), table.Data["text/html"]);
        Assert.Equal(expected.ToMarkdown(), table.Data["text/plain"]);
        Assert.Equal([typeof(TextElement), typeof(TextElement), typeof(DisplayElement)], compute.Outputs.Select(o => o.GetType()));

        var last = Assert.IsType<ReturnValueElement>(Assert.Single(result.Cells[4].Outputs));
        Assert.Equal(5, last.ExecutionOrder);
        Assert.Equal("<b>done</b>", last.Data["text/html"]);
        Assert.Equal("done", last.Data["text/plain"]);

        // the kernel itself handled the #!csharp magic and restored the #r "nuget:" package for real
        Assert.Contains(setup.Outputs.OfType<DisplayElement>(), d => d.Data.Values.OfType<string>().Any(v => v.Contains("Plotly.NET.CSharp, 0.14.0", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Executed_notebook_keeps_metadata_and_ids_and_gets_the_injected_cell_after_the_parameters()
    {
        var result = await NotebookExecutor.RunAsync(NotebookFixtures.Succeeds, new NotebookRunOptions
        {
            Kernel = NotebookKernel.InProcess,
            Parameters = new Dictionary<string, string> { ["scale"] = "2", ["verbose"] = "true" },
        });
        string path = Path.Combine(Path.GetTempPath(), $"meddeblur-runner-{Guid.NewGuid():N}", "out.ipynb");
        try
        {
            result.Save(path);
            var saved = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            var original = JsonNode.Parse(File.ReadAllText(NotebookFixtures.Succeeds))!.AsObject();

            var cells = saved["cells"]!.AsArray();
            Assert.Equal(["intro", "setup", "params", "injected-parameters", "compute", "result-md", "result"],
                cells.Select(c => c!["id"]!.GetValue<string>()));
            Assert.True(JsonNode.DeepEquals(original["metadata"]!["kernelspec"], saved["metadata"]!["kernelspec"]));
            Assert.True(JsonNode.DeepEquals(original["metadata"]!["polyglot_notebook"], saved["metadata"]!["polyglot_notebook"]));
            Assert.True(JsonNode.DeepEquals(original["cells"]![0], cells[0]), "markdown cells stay untouched");

            var injected = cells[3]!;
            Assert.Equal("// Parameters injected by meddeblur-notebook (papermill convention).\nscale = 2d;\nverbose = true;",
                string.Concat(injected["source"]!.AsArray().Select(l => l!.GetValue<string>())));
            Assert.Equal("injected-parameters", injected["metadata"]!["tags"]![0]!.GetValue<string>());
            Assert.Equal("csharp", injected["metadata"]!["polyglot_notebook"]!["kernelName"]!.GetValue<string>());

            var compute = cells[4]!;
            Assert.Equal(4, compute["execution_count"]!.GetValue<int>());
            Assert.Equal("completed", compute["metadata"]!["papermill"]!["status"]!.GetValue<string>());
            Assert.Equal(["preset=quick size=8 total=128 verbose=True\n"],
                compute["outputs"]![0]!["text"]!.AsArray().Select(l => l!.GetValue<string>()));

            var papermill = saved["metadata"]!["papermill"]!;
            Assert.Equal(2.0, papermill["parameters"]!["scale"]!.GetValue<double>());
            Assert.True(papermill["parameters"]!["verbose"]!.GetValue<bool>());
            Assert.False(papermill["exception"]!.GetValue<bool>());
            Assert.Equal([], Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public async Task Parameter_that_no_notebook_of_several_declares_fails_before_any_runs_naming_it_and_the_notebooks()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"meddeblur-runner-{Guid.NewGuid():N}");
        var stderr = new StringWriter();
        var previous = Console.Error;
        try
        {
            Console.SetError(stderr);
            int exit = await RunnerCommandLine.InvokeAsync(
                ["run", NotebookFixtures.Succeeds, NotebookFixtures.FailsInCell3, "--output-dir", folder, "--param", "presett=smoke"]);

            Assert.Equal(RunnerCommandLine.InvalidInput, exit);
            Assert.False(Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any(), "no notebook may run");
            string message = stderr.ToString();
            Assert.Contains("--param presett: no notebook declares 'presett'", message);
            Assert.Contains("succeeds.ipynb, fails-in-cell-3.ipynb", message);
            Assert.Contains("declared: ", message);
        }
        finally
        {
            Console.SetError(previous);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Command_line_exits_non_zero_on_a_failing_cell_and_still_writes_the_executed_notebook()
    {
        string output = Path.Combine(Path.GetTempPath(), $"meddeblur-runner-{Guid.NewGuid():N}.ipynb");
        try
        {
            int exit = await RunnerCommandLine.InvokeAsync(["run", NotebookFixtures.FailsInCell3, "--output", output]);

            Assert.Equal(RunnerCommandLine.Failed, exit);
            var error = JsonNode.Parse(File.ReadAllText(output))!["cells"]![2]!["outputs"]!.AsArray()
                .Single(o => o!["output_type"]!.GetValue<string>() == "error")!;
            Assert.Equal("cell 3 (id 'throws'): boom in cell three", error["evalue"]!.GetValue<string>());
            Assert.Equal(Path.GetFullPath(output), JsonNode.Parse(File.ReadAllText(output))!["metadata"]!["papermill"]!["output_path"]!.GetValue<string>());
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task Dll_that_the_host_lacks_is_referenced_relative_to_the_notebook_folder()
    {
        // Build a tiny assembly into a folder beside the notebook, then #r it by a relative path.
        string folderName = $"lib-{Guid.NewGuid():N}";
        string folder = Path.Combine(NotebookFixtures.Folder, folderName);
        Directory.CreateDirectory(folder);
        try
        {
            var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create(
                "RunnerTestGreeter",
                [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("public static class Greeter { public static string Hi() => \"hi from a dll\"; }")],
                [Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
                new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));
            using (var file = File.Create(Path.Combine(folder, "RunnerTestGreeter.dll")))
                Assert.True(compilation.Emit(file).Success);

            var result = await NotebookFixtures.RunAsync(NotebookFixtures.Code($"#r \"{folderName}/RunnerTestGreeter.dll\"\nGreeter.Hi()"));

            Assert.True(result.Succeeded, result.FailedCell?.Error?.ErrorValue);
            Assert.Equal("hi from a dll", Assert.IsType<ReturnValueElement>(Assert.Single(result.Outputs)).Data["text/plain"]);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (UnauthorizedAccessException) { }
        }
    }

    [Fact]
    public async Task Cell_over_the_timeout_fails_with_a_timeout_error()
    {
        // The limit holds for every cell, and a fresh process needs seconds to compile its first C# submission: a warm-up
        // run first, so the limit can be far above cell 1's time and far below cell 2's without waiting long.
        Assert.True((await NotebookFixtures.RunAsync(NotebookFixtures.Code("var warm = 1;"))).Succeeded);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await NotebookFixtures.RunAsync(
            NotebookFixtures.Code("var a = 1;", "System.Threading.Thread.Sleep(120_000);", "Console.WriteLine(a);"),
            new NotebookRunOptions { CellTimeout = TimeSpan.FromSeconds(5), Kernel = NotebookKernel.InProcess });

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        var error = result.FailedCell!.Error!;
        Assert.Equal("TimeoutException", error.ErrorName);
        Assert.Equal("cell 2 (id 'c2'): did not finish within 5 s (--timeout-seconds).", error.ErrorValue);
        Assert.Equal(CellRunStatus.NotRun, result.Cells[2].Status);
    }

    [Fact]
    public async Task Unknown_parameter_is_rejected_before_any_cell_runs_listing_the_declared_ones()
    {
        var e = await Assert.ThrowsAsync<NotebookException>(() => NotebookExecutor.RunAsync(NotebookFixtures.Succeeds,
            new NotebookRunOptions { Parameters = new Dictionary<string, string> { ["epochs"] = "3" } }));
        Assert.Equal("unknown parameter 'epochs'; the parameters cell declares: preset (string), size (int), scale (double), verbose (bool).", e.Message);
    }

    [Fact]
    public async Task Missing_file_and_invalid_json_are_reported_with_the_file_name()
    {
        string missing = Path.Combine(NotebookFixtures.Folder, "missing.ipynb");
        var e = await Assert.ThrowsAsync<NotebookException>(() => NotebookExecutor.RunAsync(missing));
        Assert.Equal($"notebook '{missing}' does not exist.", e.Message);

        string broken = Path.Combine(Path.GetTempPath(), $"meddeblur-runner-{Guid.NewGuid():N}.ipynb");
        File.WriteAllText(broken, "{\"cells\": [");
        try
        {
            var j = await Assert.ThrowsAsync<NotebookException>(() => NotebookExecutor.RunAsync(broken));
            Assert.StartsWith($"notebook '{broken}' is not valid JSON: ", j.Message);
            Assert.Equal(RunnerCommandLine.InvalidInput, await RunnerCommandLine.InvokeAsync(["run", broken]));
        }
        finally
        {
            File.Delete(broken);
        }
    }

}
