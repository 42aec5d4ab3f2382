using System.Text.Json.Nodes;
using MedDeblur.NotebookRunner;
using Microsoft.DotNet.Interactive.Documents;

namespace MedDeblur.Tests.Notebooks;

/// <summary>What the runner records of a notebook's cells, the same in both kernels: the dotnet-interactive tool VS Code
/// runs (<see cref="ToolKernelTests"/>) and the in-process one (<see cref="InProcessKernelTests"/>).</summary>
public abstract class KernelContractTests
{
    /// <summary>The kernel under test.</summary>
    protected abstract NotebookKernel Kernel { get; }

    [Fact]
    public async Task Failing_cell_stops_the_run_and_its_error_names_the_cell()
    {
        var result = await NotebookExecutor.RunAsync(NotebookFixtures.FailsInCell3, new NotebookRunOptions { Kernel = Kernel });

        Assert.False(result.Succeeded);
        var failed = result.FailedCell!;
        Assert.Equal("cell 3", failed.Label);
        Assert.Equal("cell 3 starts\n", failed.Stream());
        Assert.Equal("InvalidOperationException", failed.Error!.ErrorName);
        Assert.Equal("cell 3 (id 'throws'): boom in cell three", failed.Error.ErrorValue);
        Assert.Equal("System.InvalidOperationException: boom in cell three", failed.Error.StackTrace[0]);

        Assert.Equal([CellRunStatus.Succeeded, CellRunStatus.Failed, CellRunStatus.NotRun], result.Cells.Select(c => c.Status));
        Assert.Equal("cell 2 ran\n", result.Cells[0].Stream());
        var notRun = Cell(result, 3);
        Assert.Empty(notRun["outputs"]!.AsArray());
        Assert.Null(notRun["execution_count"]);
        Assert.Equal("pending", notRun["metadata"]!["papermill"]!["status"]!.GetValue<string>());
        Assert.True(Saved(result)["metadata"]!["papermill"]!["exception"]!.GetValue<bool>());
        if (Kernel == NotebookKernel.Tool) Assert.Empty(KernelProcessesIn(NotebookFixtures.Folder)); // the tool's processes end with the run
    }

    [Fact]
    public async Task Compile_error_names_the_cell_and_the_line()
    {
        var result = await NotebookFixtures.RunAsync(NotebookFixtures.Code("var x = 1;", "// comment\nint y = \"text\";"), new NotebookRunOptions { Kernel = Kernel });
        var error = result.FailedCell!.Error!;
        Assert.Equal("CompilationErrorException", error.ErrorName);
        Assert.StartsWith("cell 2 (id 'c2'): (2,9): error CS0029: Cannot implicitly convert type 'string' to 'int'", error.ErrorValue);
    }

    [Fact]
    public async Task Display_with_mime_types_update_and_trailing_values_follow_the_kernel()
    {
        var result = await NotebookFixtures.RunAsync(NotebookFixtures.Code(
            $"#r \"{NotebookFixtures.CoreDllFromFolder}\"\nusing MedDeblur.Display;\nusing Microsoft.DotNet.Interactive;\n// Kernel.display(...).Update(...) of this kernel version publishes the update under another id than the display (the\n// runner then records a second output); the invocation context's Display keeps one id, as the kit's progress uses it.\nvar shown = KernelInvocationContext.Current.Display(new HtmlFragment(\"<i>first</i>\"), \"text/html\");\nshown.Update(new HtmlFragment(\"<i>second</i>\"));\nConsole.Write(\"out\");\ndisplay(\"<i>a string</i>\", \"text/html\");",
            "\"a plain string\"",
            "Console.WriteLine(\"no value\")",
            "string nothing = null;\nnothing"), new NotebookRunOptions { Kernel = Kernel });

        Assert.True(result.Succeeded, result.FailedCell?.Error?.ErrorValue);
        var first = result.Cells[0].Outputs;
        Assert.Equal(3, first.Count);
        var html = Assert.IsType<DisplayElement>(first[0]);
        Assert.Equal(["text/html"], html.Data.Keys);
        Assert.Equal("<i>second</i>", html.Data["text/html"]);
        Assert.Equal(("stdout", "out"), (Assert.IsType<TextElement>(first[1]).Name, ((TextElement)first[1]).Text));
        // As in the kernel, a string shown as text/html is text, escaped by the HTML formatter (raw HTML: HtmlFragment).
        Assert.StartsWith("<div class=\"dni-plaintext\"><pre>&lt;i&gt;a string&lt;/i&gt;", (string)Assert.IsType<DisplayElement>(first[2]).Data["text/html"]);

        var plain = Assert.IsType<ReturnValueElement>(Assert.Single(result.Cells[1].Outputs));
        Assert.Equal(["text/plain"], plain.Data.Keys);
        Assert.Equal("a plain string", plain.Data["text/plain"]);

        Assert.Equal([("stdout", "no value\n")], result.Cells[2].Outputs.Select(o => (Assert.IsType<TextElement>(o).Name, ((TextElement)o).Text)));
        var nullResult = Assert.IsType<ReturnValueElement>(Assert.Single(result.Cells[3].Outputs));
        // the kernel shows null as <null>, as HTML text
        Assert.StartsWith("<div class=\"dni-plaintext\"><pre>&lt;null&gt;</pre></div>", (string)nullResult.Data["text/html"]);
    }

    /// <summary>Command lines of running dotnet-interactive processes started for <paramref name="folder"/> (Linux /proc).</summary>
    private static string[] KernelProcessesIn(string folder) => OperatingSystem.IsLinux()
        ? Directory.GetDirectories("/proc").Select(d => Path.Combine(d, "cmdline"))
            .Select(f => { try { return File.ReadAllText(f).Replace('\0', ' '); } catch (IOException) { return ""; } catch (UnauthorizedAccessException) { return ""; } })
            .Where(c => c.Contains("dotnet-interactive", StringComparison.Ordinal) && c.Contains($"--working-dir {folder} ", StringComparison.Ordinal)).ToArray()
        : [];

    private static JsonObject Saved(NotebookRunResult result) =>
        JsonNode.Parse(Microsoft.DotNet.Interactive.Documents.Jupyter.Notebook.ToJupyterJson(result.Document))!.AsObject();

    private static JsonNode Cell(NotebookRunResult result, int index) => Saved(result)["cells"]![index]!;
}

/// <summary>The kernel contract in the dotnet-interactive tool, started as VS Code starts it.</summary>
public sealed class ToolKernelTests : KernelContractTests
{
    /// <inheritdoc />
    protected override NotebookKernel Kernel => NotebookKernel.Tool;
}

/// <summary>The kernel contract in the runner's in-process kernel.</summary>
public sealed class InProcessKernelTests : KernelContractTests
{
    /// <inheritdoc />
    protected override NotebookKernel Kernel => NotebookKernel.InProcess;
}
