using MedDeblur.Blur;
using MedDeblur.Data;
using MedDeblur.Evaluation;
using MedDeblur.Imaging;
using MedDeblur.Metrics;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Evaluation;

public sealed class EvaluatorTests : TempFolderTest
{
    /// <summary>A small dataset of real crops in two modalities (test split only), so evaluation is fast.</summary>
    private ImageFolderDataset SmallDataset()
    {
        var crops = new[] { ("mri", "mri/brain_pd_fse_s05.png", 40, 50), ("mri", "mri/colin27_t1_ax_z090.png", 30, 20), ("micro", "microscopy/ihc_colon_fhl2.png", 100, 120) };
        var lines = new List<string> { "path,group,split" };
        foreach (var (modality, source, y, x) in crops)
        {
            using var scope = NewDisposeScope();
            using var image = ImageIO.Read(Fixture.Sample(source));
            string relative = $"{modality}/{Path.GetFileName(source)}";
            ImageIO.Write(Path.Combine(Temp, "data", relative), image.Pixels[.., y..(y + 96), x..(x + 112)]);
            lines.Add($"{relative},{relative},test");
        }
        File.WriteAllLines(Path.Combine(Temp, "data", "splits.csv"), lines);
        return ImageFolderDataset.Open(Path.Combine(Temp, "data"));
    }

    [Fact]
    public void Blurry_input_row_equals_the_metrics_of_the_fixed_kernel_blur_and_oracles_do_better()
    {
        var dataset = SmallDataset();
        var simulator = new MotionBlurSimulator(new BlurOptions { MaxLength = 25 });
        var results = Evaluator.Run(dataset.Split(DatasetSplit.Test), [new BlurryInput(), new WienerOracle(), new RichardsonLucyOracle(20)], simulator,
            new EvaluationSettings { KernelSeed = 9, OutputFolder = Path.Combine(Temp, "out") });
        Assert.Equal(9, results.PerImage.Rows.Count);

        // independent recomputation of one blurry-input row
        var item = dataset.Items[0];
        using (var scope = NewDisposeScope())
        {
            using var sharp = ImageIO.Read(item.FullPath);
            var kernel = simulator.FixedFor(9, item.RelativePath);
            var expected = ImageQuality.Measure(sharp.Pixels, simulator.Apply(sharp.Pixels, kernel))[0];
            var row = results.Score("Blurry input", item.RelativePath)!;
            Assert.Equal(expected, row);
            Assert.Equal(kernel.Length, (int)results.PerImage["kernel_length"][0]);
        }

        var means = results.Means();
        double blurry = means.Single(m => m is { Method: "Blurry input", Modality: "Average" }).Psnr;
        Assert.True(means.Single(m => m.Method == "Wiener (oracle kernel)" && m.Modality == "Average").Psnr > blurry + 1);
        Assert.True(means.Single(m => m.Method.StartsWith("Richardson-Lucy", StringComparison.Ordinal) && m.Modality == "Average").Psnr > blurry + 1);
        // the Average row is the mean of the modality means, as in the paper
        var perModality = means.Where(m => m.Method == "Blurry input" && m.Modality != "Average").Select(m => m.Psnr).ToArray();
        Assert.Equal(2, perModality.Length);
        Assert.Equal(perModality.Average(), blurry, 10);
        Assert.True(File.Exists(Path.Combine(Temp, "out", "Wiener_oracle_kernel", "mri", "brain_pd_fse_s05.png")));
        Assert.True(File.Exists(Path.Combine(Temp, "out", "sharp", "micro", "ihc_colon_fhl2.png")));
    }

    [Fact]
    public void An_evaluation_budget_evaluates_the_centre_crop_and_says_so()
    {
        var dataset = SmallDataset(); // 112x96 images
        var results = Evaluator.Run(dataset.Split(DatasetSplit.Test), [new BlurryInput()], new MotionBlurSimulator(new BlurOptions { MaxLength = 25 }),
            new EvaluationSettings { MaxImageSize = 64, OutputFolder = Path.Combine(Temp, "out") });
        using (var sharp = ImageIO.Read(Path.Combine(Temp, "out", "sharp", "mri", "brain_pd_fse_s05.png")))
        using (var original = ImageIO.Read(dataset.Items.Single(i => i.RelativePath.StartsWith("mri/brain", StringComparison.Ordinal)).FullPath))
        using (var scope = NewDisposeScope())
        {
            Assert.Equal((64, 64), (sharp.Width, sharp.Height));
            Assert.True(sharp.Pixels.allclose(original.Pixels[.., 16..80, 24..88], atol: 1e-6), "the crop is the centre of the image");
        }
        Assert.Contains("centre 64x64 crop", results.ComparisonTable().ToMarkdown());
        Assert.DoesNotContain("centre", Evaluator.Run(dataset.Split(DatasetSplit.Test), [new BlurryInput()], new MotionBlurSimulator()).ComparisonTable().ToMarkdown());
    }

    [Fact]
    public void Tables_mark_oracles_print_conventions_and_subsets_keep_their_order()
    {
        var dataset = SmallDataset();
        var results = Evaluator.Run(dataset.Split(DatasetSplit.Test), [new BlurryInput(), new WienerOracle()], new MotionBlurSimulator());
        string markdown = results.ComparisonTable().ToMarkdown();
        Assert.Contains("Wiener (oracle kernel) †", markdown);
        Assert.Contains(MetricConventions.Paper.Describe().Replace("|", "\\|", StringComparison.Ordinal), markdown);
        Assert.Contains("seed 2023", markdown);
        var subset = results.Subset(["Wiener (oracle kernel)"]);
        Assert.Equal(3, subset.PerImage.Rows.Count);
        Assert.Contains("Wiener", subset.AverageTable("T3").ToMarkdown());
        Assert.Throws<ArgumentException>(() => results.Subset(["MedDeblur"]));
        Assert.Equal(7, results.PerImageCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
