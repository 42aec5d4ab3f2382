using MedDeblur.NotebookRunner;

namespace MedDeblur.Tests.Notebooks;

/// <summary>The seven notebooks of notebooks/: valid Polyglot metadata, no outputs, pinned packages (their execution:
/// <see cref="KitNotebookExecutionTests"/>).</summary>
public sealed class KitNotebookTests
{
    private static string NotebookFolder => Path.Combine(Fixture.RepositoryRoot(), "notebooks");

    public static IEnumerable<object[]> Notebooks() =>
        Directory.GetFiles(Path.Combine(Fixture.RepositoryRoot(), "notebooks"), "*.ipynb").Order().Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Committed_notebook_is_valid_and_has_no_outputs(string name)
    {
        Assert.Empty(NotebookValidator.Validate(Path.Combine(NotebookFolder, name)).Select(p => p.ToString()));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Dll_reference_of_the_setup_cell_resolves_to_the_built_library(string name)
    {
        var notebook = NotebookExecutor.Read(Path.Combine(NotebookFolder, name));
        var references = notebook.Elements.Where(NotebookExecutor.IsCode)
            .SelectMany(c => c.Contents.Split('\n'))
            .Select(l => System.Text.RegularExpressions.Regex.Match(l.Trim(), "^#r\\s+\"(?<path>[^\"]*MedDeblur\\.Core\\.dll)\"$"))
            .Where(m => m.Success).Select(m => m.Groups["path"].Value).ToArray();
        string reference = Assert.Single(references);
        Assert.False(Path.IsPathRooted(reference), $"{name}: #r \"{reference}\" must be relative to the notebook");
        string resolved = Path.GetFullPath(Path.Combine(NotebookFolder, reference));
        Assert.True(File.Exists(resolved), $"{name}: #r \"{reference}\" resolves to {resolved}, which does not exist after the build");
        Assert.Equal("MedDeblur.Core", System.Reflection.AssemblyName.GetAssemblyName(resolved).Name);
    }

    [Fact]
    public void There_are_seven_notebooks()
    {
        Assert.Equal(["01-data-preparation.ipynb", "02-training.ipynb", "03-comparison.ipynb", "04-ablation.ipynb",
            "05-model-analysis.ipynb", "06-deblur-your-images.ipynb", "07-downstream-segmentation.ipynb"], Notebooks().Select(n => (string)n[0]));
    }
}

/// <summary>Every notebook executed headless with the smoke preset, in order, into one output folder: later notebooks use
/// what earlier ones made (03 runs the reproduce pipeline, 04–06 reuse its finished run).</summary>
public sealed class KitNotebookExecutionTests : TempFolderTest
{
    private static string NotebookFolder => Path.Combine(Fixture.RepositoryRoot(), "notebooks");

    [Fact]
    public async Task All_seven_notebooks_run_in_the_real_kernel_with_the_smoke_preset()
    {
        var expected = new Dictionary<string, string[]>
        {
            ["01-data-preparation.ipynb"] = ["<table", "Motion kernels", "Figure 4. Blur-sharp pairs", "pairs written"],
            ["02-training.ipynb"] = ["step 2/4", "step 4/4", "Figure 9", "BestValidationPsnr", "Plotly.newPlot"],
            ["03-comparison.ipynb"] = ["Table 2. Objective comparison", "Blurry input", "ZhaoNet (DnCNN)", "figure5_comparison", "<th>psnr</th>", "Per-image gain over the blurry input"],
            ["04-ablation.ipynb"] = ["Base + scale-recurrent", "Table 3. Ablation", "figure8_ablation", "Ablation (Table 3): per-image PSNR gain"],
            ["05-model-analysis.ipynb"] = ["8,028,917", "Spatial-asymmetric attention maps", "trained network from", "Parameters vs latency"],
            ["06-deblur-your-images.ipynb"] = ["written", "Input and deblurred output", "ba-range"],
            ["07-downstream-segmentation.ipynb"] = ["Segmentation dataset", "MedDeblur", "Sharp reference", "Figure 6. U-Net segmentation", "Figure 7. Detection"],
        };
        // One runner process executes all seven in order, each in a fresh C# kernel, as VS Code would: the process loads
        // nothing of the kit itself, so the notebooks' own #r lines decide every assembly binding. 03 runs the reproduce
        // pipeline once; 04-06 reuse that finished run.
        string executed = Path.Combine(Temp, "executed");
        var (exit, stdout, stderr) = await RunnerProcess.RunAsync(
            [.. expected.Keys.Select(n => Path.Combine(NotebookFolder, n)), "--output-dir", executed,
             "--param", "preset=smoke", "--param", $"output={Path.Combine(Temp, "runs")}", "--param", "size=64", "--param", "latencyRuns=1",
             "--timeout-seconds", "900"],
            TimeSpan.FromMinutes(25));
        Assert.True(exit == 0, $"runner exit {exit}\n{stdout}\n{stderr}");
        foreach (var (name, markers) in expected)
        {
            var document = NotebookExecutor.Read(Path.Combine(executed, name));
            string all = string.Join("\n", document.Elements.SelectMany(c => c.Outputs).Select(o => o switch
            {
                Microsoft.DotNet.Interactive.Documents.TextElement t => t.Text,
                Microsoft.DotNet.Interactive.Documents.DisplayElement d => string.Join("\n", d.Data.Values.Select(Text)),
                Microsoft.DotNet.Interactive.Documents.ReturnValueElement r => string.Join("\n", r.Data.Values.Select(Text)),
                Microsoft.DotNet.Interactive.Documents.ErrorElement e => e.ErrorValue,
                _ => "",
            }));
            Assert.DoesNotContain(document.Elements.SelectMany(c => c.Outputs), o => o is Microsoft.DotNet.Interactive.Documents.ErrorElement);
            foreach (var marker in markers) Assert.True(all.Contains(marker, StringComparison.Ordinal), $"{name}: '{marker}' not in the outputs");
            Assert.Contains("data:image/png;base64,", all);
        }
    }

    /// <summary>A MIME bundle value as read back from an .ipynb: a string or an array of lines.</summary>
    private static string Text(object value) => value switch
    {
        string s => s,
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Array } a => string.Concat(a.EnumerateArray().Select(l => l.ToString())),
        System.Collections.IEnumerable lines => string.Concat(lines.Cast<object>()),
        _ => value.ToString() ?? "",
    };
}
