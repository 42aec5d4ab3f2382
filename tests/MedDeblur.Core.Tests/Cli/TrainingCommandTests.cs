using MedDeblur.Imaging;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Cli;

public sealed class TrainingCommandTests : TempFolderTest
{
    [Fact]
    public void Train_resume_evaluate_and_deblur_work_end_to_end()
    {
        string run = Path.Combine(Temp, "run");
        var (exit, output, err) = CliHarness.Run("train", "--preset", "smoke", "--steps", "2", "--output", run, "--data", Fixture.Sample(""), "--device", "cpu");
        Assert.True(exit == 0, err);
        Assert.Contains("done: 2 steps", output);

        (exit, output, err) = CliHarness.Run("train", "--resume", run);
        Assert.True(exit == 0, err);
        Assert.Contains("done: 2 steps", output); // nothing left to do: resume reports the finished run

        string checkpoint = Path.Combine(run, "checkpoints", "step-0000002.ckpt");
        (exit, output, err) = CliHarness.Run("evaluate", "--checkpoint", checkpoint, "--output", Path.Combine(Temp, "eval"), "--split", "validation");
        Assert.True(exit == 0, err);
        Assert.Matches(@"\| (\*\*)?microscopy(\*\*)? \| (\*\*)?MedDeblur(\*\*)? \|", output);
        Assert.True(File.Exists(Path.Combine(Temp, "eval", "per_image.csv")));

        // two checkpoints with one file name are two rows, labelled by their paths; the same file twice is refused
        string twin = Path.Combine(Temp, "other", "step-0000002.ckpt");
        Directory.CreateDirectory(Path.GetDirectoryName(twin)!);
        File.Copy(checkpoint, twin);
        (exit, output, err) = CliHarness.Run("evaluate", "-c", checkpoint, "-c", twin, "--output", Path.Combine(Temp, "eval2"), "--split", "validation");
        Assert.True(exit == 0, err);
        Assert.Contains($"MedDeblur ({checkpoint})", output);
        Assert.Contains($"MedDeblur ({twin})", output);
        (exit, _, err) = CliHarness.Run("evaluate", "-c", checkpoint, "-c", checkpoint, "--output", Path.Combine(Temp, "eval3"), "--split", "validation");
        Assert.Equal(1, exit);
        Assert.Contains("already in the table", err);

        string input = Path.Combine(Temp, "scans");
        using (var scope = NewDisposeScope()) ImageIO.Write(Path.Combine(input, "a.tif"), rand(1, 50, 60), 16);
        (exit, output, err) = CliHarness.Run("deblur", "--checkpoint", checkpoint, "--input", input, "--output", Path.Combine(Temp, "restored"));
        Assert.True(exit == 0, err);
        Assert.Contains("1 written", output);
        using var restored = ImageIO.Read(Path.Combine(Temp, "restored", "a.tif"));
        Assert.Equal((16, 1), (restored.BitDepth, restored.Channels));
    }

    [Fact]
    public async Task Sigterm_saves_a_checkpoint_and_exits_with_143()
    {
        if (OperatingSystem.IsWindows()) return; // no SIGTERM to send
        string run = Path.Combine(Temp, "term");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList = { "exec", Path.Combine(AppContext.BaseDirectory, "meddeblur.dll"), "train", "--preset", "smoke", "--steps", "100000",
                             "--output", run, "--data", Fixture.Sample(""), "--device", "cpu" },
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync(); // completes when the process exits
            string log = Path.Combine(run, "log.jsonl");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!(File.Exists(log) && new FileInfo(log).Length > 0) && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
            if (process.HasExited) Assert.Fail($"training ended before the signal: {await stderr}");
            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
                await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180)); // a step under heavy load can take long
            await process.WaitForExitAsync(timeout.Token);
            string err = await stderr;
            Assert.True(process.ExitCode == 143, $"exit {process.ExitCode}: {err}");
            Assert.Contains("SIGTERM", err);
            Assert.Contains("interrupted at step", await stdout);
            Assert.NotNull(MedDeblur.Training.Trainer.LatestCheckpoint(new MedDeblur.Training.RunFolder(run)));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void Bad_options_give_exit_code_1_with_the_option_named()
    {
        var (exit, _, err) = CliHarness.Run("train", "--preset", "nonexistent", "--output", Path.Combine(Temp, "x"));
        Assert.Equal(1, exit);
        Assert.Contains("unknown preset 'nonexistent'", err);
        (exit, _, err) = CliHarness.Run("deblur", "--checkpoint", Path.Combine(Temp, "none.ckpt"), "--input", Fixture.Sample("mri"), "--output", Path.Combine(Temp, "o"));
        Assert.Equal(1, exit);
        Assert.Contains("none.ckpt", err);
        (exit, _, err) = CliHarness.Run("deblur", "--checkpoint", "c", "--input", Fixture.Sample("mri"), "--output", Temp, "--shard", "2/2");
        Assert.Equal(1, exit);
        Assert.Contains("--shard '2/2'", err);
    }
}
