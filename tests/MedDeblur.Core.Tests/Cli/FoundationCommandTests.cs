using System.Text.Json;
using MedDeblur.Imaging;

namespace MedDeblur.Tests.Cli;

public sealed class FoundationCommandTests : IDisposable
{
    private readonly string temp = Fixture.TempFolder();

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [Fact]
    public void Simulate_writes_pairs_kernels_csv_and_figure_and_keeps_bit_depth_and_channels()
    {
        var (exit, _, err) = CliHarness.Run("simulate", "--input", Fixture.Sample("microscopy"), "--output", temp, "--seed", "5");
        Assert.True(exit == 0, err);
        var csv = File.ReadAllLines(Path.Combine(temp, "kernels.csv"));
        Assert.Equal("path,length,angle,normalization,noise_sigma,kernel_sum_official", csv[0]);
        Assert.Equal(3, csv.Length);
        Assert.True(File.Exists(Path.Combine(temp, "figure4_blur_sharp_pairs.png")));
        using var blurred = ImageIO.Read(Path.Combine(temp, "blurred", "qpi_cell_crop.png"));
        using var sharp = ImageIO.Read(Fixture.Sample("microscopy/qpi_cell_crop.png"));
        Assert.Equal((sharp.Width, sharp.Height, sharp.Channels, sharp.BitDepth), (blurred.Width, blurred.Height, blurred.Channels, blurred.BitDepth));
        Assert.True(File.Exists(Path.Combine(temp, "kernels", "ihc_colon_fhl2.png")));
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
        string missing = Path.Combine(temp, "missing.png");
        var (exit, _, err) = CliHarness.Run("metrics", "--reference", missing, "--test", missing);
        Assert.Equal(1, exit);
        Assert.Contains(missing, err);
        (exit, _, err) = CliHarness.Run("simulate", "--input", temp, "--output", Path.Combine(temp, "o"));
        Assert.Equal(1, exit);
        Assert.Contains("matches no images", err);
    }
}
