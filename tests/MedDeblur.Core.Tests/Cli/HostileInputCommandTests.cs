using MedDeblur.Configuration;
using MedDeblur.Imaging;
using MedDeblur.Networks;
using MedDeblur.Training;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Cli;

/// <summary>Issue 11 through the command line: bad input is one clear line and exit 1, never exit 2, never a stopped batch.</summary>
public sealed class HostileInputCommandTests : TempFolderTest
{
    private void Image(string relative)
    {
        using var scope = NewDisposeScope();
        ImageIO.Write(Path.Combine(Temp, relative), rand(1, 24, 20), 8);
    }

    private string Checkpoint()
    {
        var options = Presets.Load("smoke") with { Model = "dncnn" };
        using var network = NetworkRegistry.Create("dncnn", options.Network, 3);
        string path = Path.Combine(Temp, "model.ckpt");
        MedDeblur.Training.Checkpoint.Save(path, new CheckpointHeader { Model = "dncnn", Step = 1, Options = options.ToJsonObject() }, network, null);
        return path;
    }

    [Fact]
    public void Metrics_of_a_corrupt_group4_tiff_is_exit_1_naming_the_file()
    {
        string g4 = Fixture.Path("Imaging", "corrupt-g4.tif");
        var (exit, _, err) = CliHarness.Run("metrics", "-r", g4, "-t", g4);
        Assert.Equal(1, exit);
        Assert.Contains("corrupt-g4.tif", err);
        Assert.DoesNotContain("internal error", err);
    }

    [Fact]
    public void Metrics_of_a_folder_says_it_is_a_folder()
    {
        var (exit, _, err) = CliHarness.Run("metrics", "-r", Temp, "-t", Temp);
        Assert.Equal(1, exit);
        Assert.Contains("is a folder", err);
        Assert.DoesNotContain("denied", err);
    }

    [Fact]
    public void Deblur_reports_the_bad_file_writes_the_others_and_prints_the_summary()
    {
        Image("in/a.png");
        File.Copy(Fixture.Path("Imaging", "corrupt-g4.tif"), Path.Combine(Temp, "in", "b.tif"));
        Image("in/c.png");
        var (exit, output, err) = CliHarness.Run("deblur", "-c", Checkpoint(), "-i", Path.Combine(Temp, "in"), "-o", Path.Combine(Temp, "in", "out"));
        Assert.Equal(1, exit);
        Assert.Contains("2 written, 0 skipped (already done), 1 failed", output);
        Assert.Contains("failed: b.tif", err);
        // a second run into the output folder inside the input folder does not take its outputs as inputs
        (exit, output, _) = CliHarness.Run("deblur", "-c", Checkpoint(), "-i", Path.Combine(Temp, "in"), "-o", Path.Combine(Temp, "in", "out"));
        Assert.Contains("0 written, 2 skipped (already done), 1 failed", output);
        Assert.False(Directory.Exists(Path.Combine(Temp, "in", "out", "out")));
    }

    [Fact]
    public void Simulate_reports_the_bad_file_and_still_writes_kernels_csv()
    {
        Image("in/a.png");
        File.Copy(Fixture.Path("Imaging", "corrupt-g4.tif"), Path.Combine(Temp, "in", "b.tif"));
        var (exit, output, err) = CliHarness.Run("simulate", "-i", Path.Combine(Temp, "in"), "-o", Path.Combine(Temp, "pairs"));
        Assert.Equal(1, exit);
        Assert.Contains("1 pair(s) written, 1 failed", output);
        Assert.Contains("failed: b.tif", err);
        Assert.True(File.Exists(Path.Combine(Temp, "pairs", "kernels.csv")));
    }

    [Fact]
    public void Zero_max_pixels_is_refused()
    {
        Image("a.png");
        var (exit, _, err) = CliHarness.Run("metrics", "-r", Path.Combine(Temp, "a.png"), "-t", Path.Combine(Temp, "a.png"), "--max-pixels", "0");
        Assert.Equal(1, exit);
        Assert.Contains("--max-pixels must be at least 1", err);
    }

    [Fact]
    public void An_existing_file_as_output_folder_is_named()
    {
        Image("a.png");
        string file = Path.Combine(Temp, "a.png");
        var (exit, _, err) = CliHarness.Run("simulate", "-i", file, "-o", file);
        Assert.Equal(1, exit);
        Assert.Contains("--output", err);
        Assert.Contains("is an existing file", err);
    }

    [Fact]
    public void Bad_tile_options_name_the_options()
    {
        Image("a.png");
        var (exit, _, err) = CliHarness.Run("deblur", "-c", Checkpoint(), "-i", Path.Combine(Temp, "a.png"), "-o", Path.Combine(Temp, "o"), "--tile", "16");
        Assert.Equal(1, exit);
        Assert.Contains("--tile", err);
        Assert.DoesNotContain("TileSize", err);
    }

    [Fact]
    public void Train_resume_refuses_options_it_would_ignore()
    {
        var (exit, _, err) = CliHarness.Run("train", "--resume", Path.Combine(Temp, "run"), "--model", "dncnn", "--steps", "22");
        Assert.Equal(1, exit);
        Assert.Contains("--model", err);
        Assert.Contains("--steps", err);
        Assert.Contains("cannot be combined", err);
    }

    [Fact]
    public void Train_with_a_missing_data_folder_leaves_no_run_folder()
    {
        string run = Path.Combine(Temp, "run");
        var (exit, _, err) = CliHarness.Run("train", "--preset", "smoke", "--data", Path.Combine(Temp, "nothing"), "--output", run, "--device", "cpu");
        Assert.Equal(1, exit);
        Assert.Contains("does not exist", err);
        Assert.False(Directory.Exists(run));
    }
}
