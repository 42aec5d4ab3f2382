using MedDeblur.Blur;
using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Downstream;
using MedDeblur.Evaluation;
using MedDeblur.Imaging;
using MedDeblur.Tests.Cli;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Downstream;

/// <summary>The U-Net, the images+masks folder and the Section 4.2 experiment end to end.</summary>
public sealed class DownstreamExperimentTests : TempFolderTest
{
    /// <summary>
    /// Writes a folder of 48x48 images, each a dark background with one bright disk of random centre and radius 6-10,
    /// and its mask (the disk), in the LGG layout: one folder per "patient", NAME.png with NAME_mask.png.
    /// </summary>
    private string DiskFolder(int patients, int perPatient)
    {
        string root = Path.Combine(Temp, "disks");
        var random = new Random(7);
        using var scope = NewDisposeScope();
        var yy = arange(48).reshape(48, 1).to_type(ScalarType.Float32);
        var xx = arange(48).reshape(1, 48).to_type(ScalarType.Float32);
        for (int p = 0; p < patients; p++)
            for (int i = 0; i < perPatient; i++)
            {
                int cy = random.Next(14, 34), cx = random.Next(14, 34), r = random.Next(6, 11);
                var disk = ((yy - cy).square() + (xx - cx).square() <= r * r).to_type(ScalarType.Float32).unsqueeze(0);
                var image = (0.2f + 0.6f * disk + 0.03f * randn(1, 48, 48, generator: new Generator((ulong)(p * 100 + i)))).clamp(0, 1);
                string stem = Path.Combine(root, $"patient{p}", $"patient{p}_{i}");
                ImageIO.Write(stem + ".png", image);
                ImageIO.Write(stem + "_mask.png", disk);
            }
        return root;
    }

    [Fact]
    public void Folder_pairs_images_with_masks_and_keeps_each_patient_folder_in_one_split()
    {
        var dataset = SegmentationDataset.Open(DiskFolder(patients: 12, perPatient: 2));
        Assert.Equal(24, dataset.Items.Count);
        Assert.All(dataset.Items, i => Assert.EndsWith("_mask.png", i.MaskPath));
        Assert.All(dataset.Items.GroupBy(i => i.Group), g => Assert.Single(g.Select(i => i.Split).Distinct()));
        Assert.Equal(12, dataset.Items.Select(i => i.Group).Distinct().Count());

        File.Delete(dataset.Items[0].MaskPath);
        var e = Assert.Throws<MedDeblurException>(() => SegmentationDataset.Open(dataset.Root));
        Assert.Contains("has no mask", e.Message);
    }

    [Fact]
    public void A_folder_without_test_images_is_refused_before_any_training()
    {
        string root = DiskFolder(patients: 2, perPatient: 1);
        File.WriteAllLines(Path.Combine(root, "splits.csv"), ["path,group,split", "patient0/patient0_0.png,p0,train", "patient1/patient1_0.png,p1,train"]);
        var options = Presets.Load("smoke") with { Downstream = Presets.Load("smoke").Downstream with { Root = root } };
        string output = Path.Combine(Temp, "out");
        var e = Assert.Throws<MedDeblurException>(() => DownstreamRun.Run(options, [new BlurryInput()], output));
        Assert.Contains("the test split holds no images", e.Message);
        Assert.Contains("splits.csv", e.Message);
        Assert.False(File.Exists(Path.Combine(output, "downstream", "unet.dat")));
    }

    [Fact]
    public void Embedded_ventricle_set_keeps_its_test_slices_out_of_training()
    {
        var dataset = SegmentationDataset.Open(SegmentationDataset.EmbeddedRoot);
        var test = dataset.Split(DatasetSplit.Test).Select(i => i.RelativePath).ToArray();
        var train = dataset.Split(DatasetSplit.Train).Select(i => i.RelativePath).ToArray();
        Assert.Equal(["colin27_t1_ax_z074.png", "colin27_t1_ax_z082.png", "colin27_t1_ax_z090.png", "colin27_t1_ax_z098.png"], test);
        Assert.Empty(train.Intersect(test));
        static int Z(string path) => int.Parse(path[^7..^4], System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(train, t => Assert.True(test.Min(s => Math.Abs(Z(s) - Z(t))) >= 2, $"{t} is next to a test slice"));
        // the slicing is the sample set's: z = 90 is byte-identical to the test image of data/samples
        Assert.Equal(File.ReadAllBytes(Fixture.Sample("mri/colin27_t1_ax_z090.png")), File.ReadAllBytes(Path.Combine(dataset.Root, "colin27_t1_ax_z090.png")));
    }

    [Fact]
    public void UNet_keeps_any_input_size()
    {
        using var unet = new UNet(1, [16, 16, 16]);
        using var generator = new Generator(1);
        unet.ResetParameters(generator);
        unet.eval();
        using var noGrad = no_grad();
        using var logits = unet.call(rand(2, 1, 37, 45));
        Assert.Equal([2L, 1, 37, 45], logits.shape);
    }

    [Fact]
    public void UNet_learns_the_disks_and_blur_costs_it_Dice()
    {
        // real training on sharp images whose masks are known exactly; then the same test images blurred
        var dataset = SegmentationDataset.Open(DiskFolder(patients: 20, perPatient: 2));
        var options = new DownstreamOptions { Widths = [16, 16], Steps = 60, BatchSize = 4, PatchSize = 48, LearningRate = 0.01, MinComponentPixels = 5, FigureImages = 1 };
        using var unet = SegmentationTraining.Train(dataset, options, seed: 3, CPU);
        var blur = new MotionBlurSimulator(new BlurOptions { MinLength = 15, MaxLength = 15 });
        var result = DownstreamExperiment.Evaluate(dataset, unet, [new BlurryInput()], blur, new DownstreamSettings { Options = options });
        double sharp = result.MeanDice(DownstreamExperiment.SharpRow), blurry = result.MeanDice("Blurry input");
        Assert.True(sharp > 0.9, $"Dice on the sharp disks {sharp:0.000}");
        Assert.True(blurry < sharp - 0.05, $"Dice blurred {blurry:0.000} against sharp {sharp:0.000}");
        Assert.Equal(1.0, result.Detection(DownstreamExperiment.SharpRow).F1, 6); // every disk found, no false alarm
    }

    [Fact]
    public void Cli_verb_runs_the_experiment_end_to_end_with_the_smoke_preset()
    {
        string output = Path.Combine(Temp, "downstream");
        var (exit, stdout, stderr) = CliHarness.Run("downstream", "--preset", "smoke", "--output", output, "--device", "cpu");
        Assert.True(exit == 0, stderr);
        foreach (var row in new[] { "Sharp reference", "Blurry input", "Wiener (oracle kernel) †", "Richardson-Lucy 5 it. (oracle kernel) †" })
            Assert.Contains($"| {row} |", stdout);
        Assert.Contains("train step 3/3", stderr);
        foreach (var file in new[] { "tables/downstream_segmentation.md", "tables/downstream_segmentation.csv", "figures/figure6_segmentation.png",
                     "figures/figure7_detection.png", "downstream/unet.dat", "downstream/predictions/Blurry_input/colin27_t1_ax_z090.png" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        var perImage = File.ReadAllLines(Path.Combine(output, "tables", "downstream_segmentation_per_image.csv"));
        Assert.Equal(1 + 4 * 4, perImage.Length); // header + 4 test images x (sharp, blurry, two oracles)

        // a second run with the same options reuses the U-Net: identical table
        var (again, stdout2, stderr2) = CliHarness.Run("downstream", "--preset", "smoke", "--output", output, "--device", "cpu");
        Assert.True(again == 0, stderr2);
        Assert.DoesNotContain("train step", stderr2);
        Assert.Equal(stdout, stdout2);
    }
}
