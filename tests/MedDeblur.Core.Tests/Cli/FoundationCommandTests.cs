using System.Globalization;
using System.Text.Json;
using MedDeblur.Blur;
using MedDeblur.Imaging;
using MedDeblur.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Cli;

public sealed class FoundationCommandTests : TempFolderTest
{
    [Fact]
    public void Simulate_writes_pairs_kernels_csv_and_figure_and_keeps_bit_depth_and_channels()
    {
        var (exit, _, err) = CliHarness.Run("simulate", "--input", Fixture.Sample("microscopy"), "--output", Temp, "--seed", "5");
        Assert.True(exit == 0, err);
        var csv = File.ReadAllLines(Path.Combine(Temp, "kernels.csv"));
        Assert.Equal("path,length,angle,normalization,noise_sigma,kernel_sum_official", csv[0]);
        Assert.Equal(3, csv.Length);
        Assert.True(File.Exists(Path.Combine(Temp, "figure4_blur_sharp_pairs.png")));
        using var blurred = ImageIO.Read(Path.Combine(Temp, "blurred", "qpi_cell_crop.png"));
        using var sharp = ImageIO.Read(Fixture.Sample("microscopy/qpi_cell_crop.png"));
        Assert.Equal((sharp.Width, sharp.Height, sharp.Channels, sharp.BitDepth), (blurred.Width, blurred.Height, blurred.Channels, blurred.BitDepth));
        Assert.True(File.Exists(Path.Combine(Temp, "kernels", "ihc_colon_fhl2.png")));
        // each row's kernel is the fixed kernel of its path relative to the input folder, and the blur changed the image
        var simulator = new MotionBlurSimulator();
        foreach (var row in csv[1..].Select(l => l.Split(',')))
        {
            var expected = simulator.FixedFor(5, row[0]);
            Assert.Equal((expected.Length, expected.AngleDegrees), (int.Parse(row[1], CultureInfo.InvariantCulture), double.Parse(row[2], CultureInfo.InvariantCulture)));
            Assert.Equal("sum", row[3]);
        }
        Assert.Equal(["ihc_colon_fhl2.png", "qpi_cell_crop.png"], csv[1..].Select(l => l.Split(',')[0]));
        using var scope = NewDisposeScope();
        var (expectedBlur, _) = simulator.ApplyFixed(sharp.Pixels, 5, "qpi_cell_crop.png");
        Assert.True((blurred.Pixels - expectedBlur).abs().max().item<float>() <= 0.5f / 255 + 1e-6f, "written blurred image is not the fixed-kernel blur");
        double change = (blurred.Pixels - sharp.Pixels).abs().mean().item<float>();
        Assert.True(change > 0.004, $"blurred image barely differs from the sharp one (mean |diff| {change})");
    }

    private static string[] KernelRow(string folder) => File.ReadAllLines(Path.Combine(folder, "kernels.csv"))[1].Split(',');

    [Fact]
    public void Simulate_of_one_file_under_the_data_root_uses_the_kernel_evaluation_uses()
    {
        string file = Fixture.Sample("mri/brain_pd_fse_s05.png");
        var (exit, _, err) = CliHarness.Run("simulate", "--input", file, "--output", Path.Combine(Temp, "a"));
        Assert.True(exit == 0, err);
        var row = KernelRow(Path.Combine(Temp, "a"));
        var expected = new MotionBlurSimulator().FixedFor(2023, "mri/brain_pd_fse_s05.png");
        Assert.Equal(["mri/brain_pd_fse_s05.png", expected.Length.ToString(CultureInfo.InvariantCulture), expected.AngleDegrees.ToString(CultureInfo.InvariantCulture)], row[..3]);
        Assert.True(File.Exists(Path.Combine(Temp, "a", "blurred", "mri", "brain_pd_fse_s05.png")));

        // --root names the folder the key is relative to
        (exit, _, err) = CliHarness.Run("simulate", "--input", file, "--output", Path.Combine(Temp, "b"), "--root", Fixture.Sample("mri"));
        Assert.True(exit == 0, err);
        var own = new MotionBlurSimulator().FixedFor(2023, "brain_pd_fse_s05.png");
        Assert.Equal(["brain_pd_fse_s05.png", own.Length.ToString(CultureInfo.InvariantCulture), own.AngleDegrees.ToString(CultureInfo.InvariantCulture)], KernelRow(Path.Combine(Temp, "b"))[..3]);
        (exit, _, err) = CliHarness.Run("simulate", "--input", file, "--output", Path.Combine(Temp, "c"), "--root", Fixture.Sample("ct"));
        Assert.Equal(1, exit);
        Assert.Contains("is not inside the root folder", err);

        // a file outside the data root is keyed by its name (its own folder)
        string outside = Path.Combine(Temp, "mine", "x.png");
        using (var scope = NewDisposeScope()) ImageIO.Write(outside, rand(1, 30, 30));
        (exit, _, err) = CliHarness.Run("simulate", "--input", outside, "--output", Path.Combine(Temp, "d"));
        Assert.True(exit == 0, err);
        Assert.Equal("x.png", KernelRow(Path.Combine(Temp, "d"))[0]);
    }

    [Fact]
    public void Simulate_reports_each_failed_file_exits_1_and_still_writes_the_others()
    {
        string input = Path.Combine(Temp, "in");
        using (var scope = NewDisposeScope()) ImageIO.Write(Path.Combine(input, "good.png"), rand(1, 30, 30));
        File.WriteAllBytes(Path.Combine(input, "bad.png"), File.ReadAllBytes(Path.Combine(input, "good.png"))[..40]);
        var (exit, output, err) = CliHarness.Run("simulate", "--input", input, "--output", Path.Combine(Temp, "out"), "--length", "9", "--angle", "10",
            "--normalization", "official");
        Assert.Equal(1, exit);
        Assert.Contains($"failed: bad.png: cannot read image {Path.Combine(input, "bad.png")}", err);
        Assert.True(File.Exists(Path.Combine(Temp, "out", "blurred", "good.png")));
        Assert.Equal(["good.png", "9", "10", "official"], KernelRow(Path.Combine(Temp, "out"))[..4]);
        // the summary names the forced kernel, not the random range it did not use
        Assert.Contains("1 pair(s) written, 1 failed", output);
        Assert.Contains("one kernel d=9, angle=10° for every image", output);
        Assert.DoesNotContain("20-45", output);
    }

    [Fact]
    public void Help_shows_lower_case_normalisation_root_and_max_pixels()
    {
        var (exit, output, _) = CliHarness.Run("simulate", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("--normalization <sum|official>", output);
        Assert.Contains("--root", output);
        Assert.Contains("--max-pixels", output);
        (_, output, _) = CliHarness.Run("metrics", "--help");
        Assert.Contains("--max-pixels", output);
    }

    [Fact]
    public void Max_pixels_applies_to_metrics_and_simulate()
    {
        string sample = Fixture.Sample("mri/brain_pd_fse_s05.png");
        var (exit, _, err) = CliHarness.Run("metrics", "--reference", sample, "--test", sample, "--max-pixels", "1000");
        Assert.Equal(1, exit);
        Assert.Contains("over the limit of 1,000", err);
        (exit, _, err) = CliHarness.Run("simulate", "--input", sample, "--output", Path.Combine(Temp, "o"), "--max-pixels", "1000");
        Assert.Equal(1, exit);
        Assert.Contains("over the limit of 1,000", err);
    }

    [Fact]
    public void Metrics_of_a_real_pair_equals_ImageQuality()
    {
        string a = Fixture.Sample("mri/brain_pd_fse_s05.png"), b = Fixture.Sample("mri/brain_pd_fse_s07.png");
        var (exit, output, err) = CliHarness.Run("metrics", "--reference", a, "--test", b, "--json");
        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(output);
        using var scope = NewDisposeScope();
        using var x = ImageIO.Read(a);
        using var y = ImageIO.Read(b);
        var expected = ImageQuality.Measure(x.Pixels, y.Pixels, MetricConventions.Paper)[0];
        Assert.Equal(expected.Psnr, doc.RootElement.GetProperty("psnr").GetDouble());
        Assert.Equal(expected.Ssim, doc.RootElement.GetProperty("ssim").GetDouble());
        Assert.Equal(expected.DeltaE, doc.RootElement.GetProperty("deltaE").GetDouble());
        Assert.InRange(expected.Psnr, 10, 40); // a different slice: finite and far from identical
        Assert.InRange(expected.Ssim, 0.05, 0.99);

        (exit, output, err) = CliHarness.Run("metrics", "--reference", a, "--test", b, "--conventions", "literature");
        Assert.True(exit == 0, err);
        var literature = ImageQuality.Measure(x.Pixels, y.Pixels, MetricConventions.Literature)[0];
        Assert.Contains($"PSNR {literature.Psnr:0.0000} dB  SSIM {literature.Ssim:0.0000}", output);

        (exit, output, err) = CliHarness.Run("metrics", "--reference", a, "--test", b, "--delta-e", "cie76", "--no-quantize", "--json");
        Assert.True(exit == 0, err);
        using var custom = JsonDocument.Parse(output);
        var other = ImageQuality.Measure(x.Pixels, y.Pixels, MetricConventions.Paper with { DeltaE = DeltaEFormula.Cie76, Quantize8Bit = false })[0];
        Assert.Equal(other.DeltaE, custom.RootElement.GetProperty("deltaE").GetDouble());
        Assert.Equal(other.Psnr, custom.RootElement.GetProperty("psnr").GetDouble());
        Assert.NotEqual(expected.DeltaE, other.DeltaE);
    }

    [Fact]
    public void Metrics_prints_json_with_the_three_values()
    {
        string sample = Fixture.Sample("mri/brain_pd_fse_s05.png");
        var (exit, output, err) = CliHarness.Run("metrics", "--reference", sample, "--test", sample, "--json");
        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("Infinity", doc.RootElement.GetProperty("psnr").GetString());
        Assert.Equal(1.0, doc.RootElement.GetProperty("ssim").GetDouble(), 12);
        Assert.Equal(0.0, doc.RootElement.GetProperty("deltaE").GetDouble(), 12);
    }

    [Fact]
    public void Bad_input_gives_exit_code_1_and_a_message_naming_the_file()
    {
        string missing = Path.Combine(Temp, "missing.png");
        var (exit, _, err) = CliHarness.Run("metrics", "--reference", missing, "--test", missing);
        Assert.Equal(1, exit);
        Assert.Contains(missing, err);
        (exit, _, err) = CliHarness.Run("simulate", "--input", Temp, "--output", Path.Combine(Temp, "o"));
        Assert.Equal(1, exit);
        Assert.Contains("matches no images", err);
    }
}
