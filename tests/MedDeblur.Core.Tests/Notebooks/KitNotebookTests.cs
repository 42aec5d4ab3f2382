using MedDeblur.NotebookRunner;

namespace MedDeblur.Tests.Notebooks;

/// <summary>The six notebooks of notebooks/: valid Polyglot metadata, no outputs, pinned packages, and every one executes
/// headless with the smoke preset, in order (later notebooks use what earlier ones trained).</summary>
public sealed class KitNotebookTests : IDisposable
{
    private readonly string temp = Fixture.TempFolder();

    public void Dispose() => Directory.Delete(temp, recursive: true);

    private static string NotebookFolder => Path.Combine(Fixture.RepositoryRoot(), "notebooks");

    public static IEnumerable<object[]> Notebooks() =>
        Directory.GetFiles(Path.Combine(Fixture.RepositoryRoot(), "notebooks"), "*.ipynb").Order().Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Committed_notebook_is_valid_and_has_no_outputs(string name)
    {
        Assert.Empty(NotebookValidator.Validate(Path.Combine(NotebookFolder, name)).Select(p => p.ToString()));
    }

    [Fact]
    public void There_are_six_notebooks()
    {
        Assert.Equal(["01-data-preparation.ipynb", "02-training.ipynb", "03-comparison.ipynb", "04-ablation.ipynb",
            "05-model-analysis.ipynb", "06-deblur-your-images.ipynb"], Notebooks().Select(n => (string)n[0]));
    }

    [Fact]
    public async Task All_six_notebooks_run_headless_with_the_smoke_preset()
    {
        var expected = new Dictionary<string, string[]>
        {
            ["01-data-preparation.ipynb"] = ["<table", "Motion kernels", "Figure 4. Blur-sharp pairs", "pairs written"],
            ["02-training.ipynb"] = ["step 4/4", "Figure 9", "BestValidationPsnr"],
            ["03-comparison.ipynb"] = ["Table 2. Objective comparison", "Blurry input", "ZhaoNet (DnCNN)", "figure5_comparison"],
            ["04-ablation.ipynb"] = ["Base + scale-recurrent", "Table 3. Ablation", "figure8_ablation"],
            ["05-model-analysis.ipynb"] = ["8,028,917", "Spatial-asymmetric attention maps", "trained network from"],
            ["06-deblur-your-images.ipynb"] = ["written", "Input and deblurred output"],
        };
        foreach (var (name, markers) in expected)
        {
            var result = await NotebookExecutor.RunAsync(Path.Combine(NotebookFolder, name), new NotebookRunOptions
            {
                Parameters = new Dictionary<string, string> { ["preset"] = "smoke", ["output"] = temp, ["dataRoot"] = Fixture.Sample("") }
                    .Concat(name.StartsWith("05", StringComparison.Ordinal) ? [new("size", "64"), new("latencyRuns", "1")] : Array.Empty<KeyValuePair<string, string>>())
                    .ToDictionary(),
                CellTimeout = TimeSpan.FromMinutes(5),
            });
            Assert.True(result.Succeeded, $"{name}: {result.FailedCell?.Label} failed: {result.FailedCell?.Error?.EValue}");
            string all = string.Join("\n", result.Cells.SelectMany(c => c.Outputs).Select(o => o switch
            {
                StreamOutput s => s.Text,
                DisplayDataOutput d => string.Join("\n", d.Data.Values),
                ExecuteResultOutput r => string.Join("\n", r.Data.Values),
                _ => "",
            }));
            foreach (var marker in markers) Assert.True(all.Contains(marker, StringComparison.Ordinal), $"{name}: '{marker}' not in the outputs");
            Assert.Contains("data:image/png;base64,", all);
            result.Notebook.Save(Path.Combine(temp, "executed", name));
        }
    }
}
