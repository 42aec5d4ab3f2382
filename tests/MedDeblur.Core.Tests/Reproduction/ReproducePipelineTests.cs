using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Reproduction;
using SkiaSharp;

namespace MedDeblur.Tests.Reproduction;

/// <summary>The pipeline on the session's shared smoke run (<see cref="SmokeReproduceRun"/>: made once, with a stale run folder
/// of MedDeblur in the way), re-running it, loading it back, and a folder of another preset.</summary>
[Collection(SmokeReproduceCollection.Name)]
public sealed class ReproducePipelineTests(SmokeReproduceRun run) : TempFolderTest
{
    [Fact]
    public void Smoke_preset_writes_tables_figures_and_a_self_contained_report()
    {
        var options = run.Options;
        string folder = run.Folder;
        var stages = run.Progress.Select(p => p.Stage).ToList();
        var result = run.Result;

        Assert.Contains("train meddeblur", stages);
        Assert.Contains("evaluate", stages);
        Assert.Equal(7, result.Training.Count);
        Assert.All(result.Training, t => Assert.True(t.Completed));

        // Table 2: every modality of the test split x (blurry input + 5 networks + 2 oracles), then the averages
        var methods = result.Comparison.Rows.Select(r => r[1]).Distinct().ToArray();
        Assert.Equal(["Blurry input", "MedDeblur", "SRN-Deblur", "DeepDeblur", "ZhaoNet (DnCNN)", "TEMImageNet", "Wiener (oracle kernel) †", $"Richardson-Lucy {options.Evaluation.RichardsonLucyIterations} it. (oracle kernel) †"], methods);
        Assert.Contains(result.Comparison.Notes, n => n.Contains($"centre {options.Evaluation.MaxImageSize}x", StringComparison.Ordinal)); // the smoke budget is stated
        Assert.Equal(["ct", "fundus", "microscopy", "mri", "xray", "Average"], result.Comparison.Rows.Select(r => r[0]).Distinct());
        Assert.Equal(["Base", "Base + scale-recurrent", "MedDeblur"], result.Ablation.Rows.Select(r => r[0]));
        Assert.Equal(8, result.Analysis.Rows.Count);
        Assert.Equal("8,028,917", result.Analysis.Rows[^1][2]);

        foreach (var table in new[] { "table2_comparison", "table3_ablation", "table4_model_analysis" })
        {
            Assert.True(File.Exists(Path.Combine(folder, "tables", table + ".csv")), table);
            Assert.True(File.Exists(Path.Combine(folder, "tables", table + ".md")), table);
        }
        foreach (var figure in new[] { "figure4_blur_sharp_pairs", "figure5_comparison", "figure6_segmentation", "figure7_detection", "figure8_ablation", "figure9_training_curves" })
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(folder, "figures", figure + ".png"));
            Assert.True(bitmap is { Width: > 200, Height: > 100 }, figure);
        }
        string html = File.ReadAllText(result.ReportPath);
        Assert.Equal(6, html.Split("<figure><img alt=").Length - 1); // the six figures; the sliders below add their own images
        Assert.Contains("Section 4.2. Deblurring for computer-aided diagnosis", html);
        Assert.Equal(["Sharp reference", .. methods], result.Downstream!.Rows.Select(r => r[0])); // Table 2's rows, the U-Net on each
        Assert.True(File.Exists(Path.Combine(folder, "tables", "downstream_segmentation.md")));
        // self-contained: plotly.js embedded once for every chart, no script or image loaded from elsewhere (issue 12)
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, @"\* plotly\.js v\d+\.\d+\.\d+"));
        Assert.DoesNotMatch("<script[^>]*src=", html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.Contains("Per-image gain over the blurry input", html);
        Assert.Contains("class=\"ba-range\"", html); // before/after sliders
        Assert.Contains("Table 3. Ablation", html);
        Assert.Contains(MedDeblur.Display.Html.Encode(options.Blur.Describe()), html);
        Assert.True(File.Exists(Path.Combine(folder, "runs", "meddeblur", "checkpoints", "best.ckpt")));
        Assert.Equal(options.Training.Steps, result.Training[0].Step);
        Assert.True(File.Exists(Path.Combine(folder, "tables", "table2_comparison.notes.txt")));
    }

    [Fact]
    public void A_folder_reproduced_with_another_preset_is_refused()
    {
        var smoke = Presets.Load("smoke");
        File.WriteAllText(Path.Combine(Temp, "options.json"), smoke.ToJson());
        var quick = Presets.Load("quick") with { Device = "cpu" };
        var e = Assert.Throws<MedDeblurException>(() => ReproducePipeline.Run(quick, Temp));
        Assert.Contains(Path.GetFullPath(Temp), e.Message);
        Assert.Contains("'smoke'", e.Message);
        Assert.Contains("'quick'", e.Message);
        Assert.False(Directory.Exists(Path.Combine(Temp, "runs")), "nothing may be trained into a refused folder");
    }

    [Fact]
    public void Running_again_with_the_same_options_skips_every_stage_and_gives_the_same_tables()
    {
        var again = new List<ReproduceProgress>();
        var result = ReproducePipeline.Run(run.Options, run.Folder, progress: again.Add);
        Assert.Equal(["train", "evaluate", "profile", "downstream", "figures", "report"], again.Select(p => p.Stage));
        Assert.All(again, p => Assert.True(p.Skipped, p.Stage));
        Assert.Equal(run.Result.Comparison.ToMarkdown(), result.Comparison.ToMarkdown());
        Assert.Equal(run.Result.Ablation.ToMarkdown(), result.Ablation.ToMarkdown());
        Assert.Equal(run.Result.Analysis.ToMarkdown(), result.Analysis.ToMarkdown());
        Assert.Equal(run.Result.Downstream!.ToMarkdown(), result.Downstream!.ToMarkdown());
        Assert.Equal(run.Result.Training.Select(t => (t.Model, t.Step, t.BestCheckpoint)), result.Training.Select(t => (t.Model, t.Step, t.BestCheckpoint)));
        Assert.True(File.Exists(Path.Combine(run.Folder, "stages", "evaluate.json")));
    }

    [Fact]
    public void A_finished_run_folder_loads_back_as_a_result()
    {
        var loaded = ReproduceResult.Load(run.Folder);
        Assert.Equal(run.Result.ReportPath, loaded.ReportPath);
        Assert.Equal(run.Result.Comparison.ToMarkdown(), loaded.Comparison.ToMarkdown());
        Assert.Equal(run.Result.Ablation.ToMarkdown(), loaded.Ablation.ToMarkdown());
        Assert.Equal(run.Result.Analysis.ToMarkdown(), loaded.Analysis.ToMarkdown());
        Assert.Equal(run.Result.Downstream!.ToMarkdown(), loaded.Downstream!.ToMarkdown());
        Assert.Equal(run.Result.Training.Select(t => t.LastCheckpoint), loaded.Training.Select(t => t.LastCheckpoint));
        Assert.Equal(run.Result.Training.Select(t => t.Validations.Count), loaded.Training.Select(t => t.Validations.Count));
        // the per-image DataFrame (tables/per_image.csv): every method on every test image, typed columns
        var perImage = loaded.PerImage;
        var rows = Enumerable.Range(0, (int)perImage.Rows.Count)
            .Select(i => (Method: (string)perImage["method"][i], Image: (string)perImage["image"][i], Psnr: (double)perImage["psnr"][i])).ToArray();
        Assert.Contains(rows, r => r.Method == "Blurry input");
        Assert.Contains(rows, r => r.Method == "MedDeblur");
        Assert.All(rows.GroupBy(r => r.Method), g => Assert.Equal(rows.Select(r => r.Image).Distinct().Order(), g.Select(r => r.Image).Order()));
        Assert.All(rows, r => Assert.True(double.IsFinite(r.Psnr), $"{r.Method} {r.Image}: {r.Psnr}"));
        Assert.All(rows.Where(r => r.Method == "Blurry input"), r => Assert.InRange(r.Psnr, 10, 60)); // a blurred image is near its sharp one
        var e = Assert.Throws<MedDeblurException>(() => ReproduceResult.Load(Temp));
        Assert.Contains("stages", e.Message);
    }

    [Fact]
    public void Training_progress_is_typed_not_text()
    {
        var training = run.Progress.Where(p => p.Stage == "train meddeblur").ToArray();
        Assert.NotEmpty(training);
        Assert.All(training, p => Assert.NotNull(p.Steps));
        Assert.Equal(run.Options.Training.Steps, training[^1].Steps!.Step);
        Assert.Equal(run.Options.Training.Steps, training[^1].Steps!.Total);
    }
}
