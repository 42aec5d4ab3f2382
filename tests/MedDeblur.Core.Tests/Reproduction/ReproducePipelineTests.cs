using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Reproduction;
using SkiaSharp;

namespace MedDeblur.Tests.Reproduction;

public sealed class ReproducePipelineTests : IDisposable
{
    private readonly string temp = Fixture.TempFolder();

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [Fact]
    public void Smoke_preset_writes_tables_figures_and_a_self_contained_report()
    {
        var options = Presets.Load("smoke") with { Device = "cpu", Data = Presets.Load("smoke").Data with { Root = SampleData.Root } };
        // a previous run that stopped before MedDeblur's first checkpoint: its stale options must not block the rerun
        Directory.CreateDirectory(Path.Combine(temp, "runs", "meddeblur"));
        File.WriteAllText(Path.Combine(temp, "runs", "meddeblur", "options.json"), (options with { Model = "meddeblur", Training = options.Training with { Steps = 999 } }).ToJson());
        var stages = new List<string>();
        var result = ReproducePipeline.Run(options, temp, progress: p => stages.Add(p.Stage));

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
            Assert.True(File.Exists(Path.Combine(temp, "tables", table + ".csv")), table);
            Assert.True(File.Exists(Path.Combine(temp, "tables", table + ".md")), table);
        }
        foreach (var figure in new[] { "figure4_blur_sharp_pairs", "figure5_comparison", "figure6_segmentation", "figure7_detection", "figure8_ablation", "figure9_training_curves" })
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(temp, "figures", figure + ".png"));
            Assert.True(bitmap is { Width: > 200, Height: > 100 }, figure);
        }
        string html = File.ReadAllText(result.ReportPath);
        Assert.Equal(6, html.Split("<figure><img alt=").Length - 1); // the six figures; the sliders below add their own images
        Assert.Contains("Section 4.2. Deblurring for computer-aided diagnosis", html);
        Assert.Equal(["Sharp reference", .. methods], result.Downstream!.Rows.Select(r => r[0])); // Table 2's rows, the U-Net on each
        Assert.True(File.Exists(Path.Combine(temp, "tables", "downstream_segmentation.md")));
        // self-contained: plotly.js embedded once for every chart, no script or image loaded from elsewhere (issue 12)
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, @"\* plotly\.js v\d+\.\d+\.\d+"));
        Assert.DoesNotMatch("<script[^>]*src=", html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.Contains("Per-image gain over the blurry input", html);
        Assert.Contains("class=\"ba-range\"", html); // before/after sliders
        Assert.Contains("Table 3. Ablation", html);
        Assert.Contains(MedDeblur.Display.Html.Encode(options.Blur.Describe()), html);
        Assert.True(File.Exists(Path.Combine(temp, "runs", "meddeblur", "checkpoints", "best.ckpt")));
        Assert.Equal(options.Training.Steps, result.Training[0].Step);
        Assert.True(File.Exists(Path.Combine(temp, "tables", "table2_comparison.notes.txt")));
    }

    [Fact]
    public void A_folder_reproduced_with_another_preset_is_refused()
    {
        var smoke = Presets.Load("smoke");
        File.WriteAllText(Path.Combine(temp, "options.json"), smoke.ToJson());
        var quick = Presets.Load("quick") with { Device = "cpu" };
        var e = Assert.Throws<MedDeblurException>(() => ReproducePipeline.Run(quick, temp));
        Assert.Contains(Path.GetFullPath(temp), e.Message);
        Assert.Contains("'smoke'", e.Message);
        Assert.Contains("'quick'", e.Message);
        Assert.False(Directory.Exists(Path.Combine(temp, "runs")), "nothing may be trained into a refused folder");
    }
}
