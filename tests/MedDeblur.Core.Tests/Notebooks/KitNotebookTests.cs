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
        // the runner substitutes its own MedDeblur.Core, so only this test sees a wrong path (the kernel in VS Code would fail)
        var notebook = Notebook.Load(Path.Combine(NotebookFolder, name));
        var references = notebook.Cells.Where(c => c.IsCode)
            .SelectMany(c => c.Source.Split('\n'))
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

/// <summary>Every notebook executed headless with the smoke preset, in order (later notebooks use what earlier ones
/// trained), into the output folder of the session's shared smoke run: notebooks 03 and 04 reuse its stages.</summary>
[Collection(MedDeblur.Tests.Reproduction.SmokeReproduceCollection.Name)]
public sealed class KitNotebookExecutionTests(MedDeblur.Tests.Reproduction.SmokeReproduceRun run) : TempFolderTest
{
    private static string NotebookFolder => Path.Combine(Fixture.RepositoryRoot(), "notebooks");

    [Fact]
    public async Task All_seven_notebooks_run_headless_with_the_smoke_preset()
    {
        var expected = new Dictionary<string, string[]>
        {
            ["01-data-preparation.ipynb"] = ["<table", "Motion kernels", "Figure 4. Blur-sharp pairs", "pairs written"],
            ["02-training.ipynb"] = ["step 2/4", "step 4/4", "Figure 9", "BestValidationPsnr"],
            ["03-comparison.ipynb"] = ["Table 2. Objective comparison", "Blurry input", "ZhaoNet (DnCNN)", "figure5_comparison"],
            ["04-ablation.ipynb"] = ["Base + scale-recurrent", "Table 3. Ablation", "figure8_ablation"],
            ["05-model-analysis.ipynb"] = ["8,028,917", "Spatial-asymmetric attention maps", "trained network from"],
            ["06-deblur-your-images.ipynb"] = ["written", "Input and deblurred output"],
            ["07-downstream-segmentation.ipynb"] = ["Segmentation dataset", "MedDeblur", "Sharp reference", "Figure 6. U-Net segmentation", "Figure 7. Detection"],
        };
        foreach (var (name, markers) in expected)
        {
            var result = await NotebookExecutor.RunAsync(Path.Combine(NotebookFolder, name), new NotebookRunOptions
            {
                Parameters = new Dictionary<string, string> { ["preset"] = "smoke", ["output"] = run.Root }
                    .Concat(name.StartsWith("06", StringComparison.Ordinal) || name.StartsWith("07", StringComparison.Ordinal) ? [] : [new("dataRoot", Fixture.Sample(""))]) // 06 deblurs `input`; 07 reads images with masks
                    .Concat(name.StartsWith("05", StringComparison.Ordinal) ? [new("size", "64"), new("latencyRuns", "1")] : Array.Empty<KeyValuePair<string, string>>())
                    .ToDictionary(),
                CellTimeout = TimeSpan.FromMinutes(15), // a reproduce cell that had to train and evaluate took over 5 minutes on a loaded 2-core machine
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
            result.Notebook.Save(Path.Combine(Temp, "executed", name));
        }
    }
}
