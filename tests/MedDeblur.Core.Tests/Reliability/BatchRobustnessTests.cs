using MedDeblur.Blur;
using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Figures;
using MedDeblur.Imaging;
using MedDeblur.Inference;
using MedDeblur.Networks;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Reliability;

/// <summary>Issue 11: one bad file never stops deblur or simulate; folders are walked without loops; outputs are never inputs.</summary>
public sealed class BatchRobustnessTests : TempFolderTest
{
    private readonly DeblurNetwork network = NetworkRegistry.Create("dncnn", Presets.Load("smoke").Network, 1);

    protected override void Dispose(bool disposing)
    {
        if (disposing) network.Dispose();
        base.Dispose(disposing);
    }

    private Deblurrer Deblurrer() => new(network, CPU);

    private string Image(string relative, int channels = 1)
    {
        string path = Path.Combine(Temp, relative);
        using var scope = NewDisposeScope();
        ImageIO.Write(path, rand(channels, 20, 24), 8);
        return path;
    }

    [Fact]
    public void Deblur_goes_on_after_a_decoder_crash_and_a_write_error()
    {
        Image("in/a.png");
        File.Copy(Fixture.Path("Imaging", "corrupt-g4.tif"), Path.Combine(Temp, "in", "b.tif"));
        Image("in/c.png");
        Image("in/d.png");
        Directory.CreateDirectory(Path.Combine(Temp, "out", "d.png")); // a folder where an output file goes
        var results = BatchDeblur.Run(ImageFiles.Resolve(Path.Combine(Temp, "in")), Path.Combine(Temp, "out"), Deblurrer())
            .ToDictionary(r => r.Input.RelativePath);
        Assert.Equal(["written", "failed", "written", "failed"], new[] { "a.png", "b.tif", "c.png", "d.png" }.Select(n => results[n].Status));
        Assert.Contains("b.tif", results["b.tif"].Error);
        Assert.Contains("corrupt", results["b.tif"].Error);
        Assert.Contains("cannot write", results["d.png"].Error);
        Assert.Contains("folder", results["d.png"].Error);
        Assert.True(File.Exists(Path.Combine(Temp, "out", "c.png")));
    }

    [Fact]
    public void A_name_of_250_bytes_is_written_although_the_temporary_name_would_pass_255()
    {
        string name = new string('n', 246) + ".png";
        Image(Path.Combine("in", name));
        var result = Assert.Single(BatchDeblur.Run(ImageFiles.Resolve(Path.Combine(Temp, "in")), Path.Combine(Temp, "out"), Deblurrer()));
        Assert.True(result.Status == "written", result.Error);
        Assert.True(File.Exists(Path.Combine(Temp, "out", name)));
    }

    [Fact]
    public void A_jpeg_name_that_becomes_too_long_as_png_fails_alone_with_a_clear_reason()
    {
        string name = new string('j', 249) + ".jpg"; // the output name a.jpg.png has 257 bytes
        File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(Path.Combine(Temp, "in")).FullName, name), HostileImageTests.Jpeg(24, 20));
        Image("in/z.png");
        var results = BatchDeblur.Run(ImageFiles.Resolve(Path.Combine(Temp, "in")), Path.Combine(Temp, "out"), Deblurrer());
        Assert.Equal(["failed", "written"], results.Select(r => r.Status));
        Assert.Contains("cannot write", results[0].Error);
        Assert.Contains("255", results[0].Error);
    }

    [Fact]
    public void Simulate_goes_on_after_a_decoder_crash_and_always_writes_kernels_csv()
    {
        Image("in/a.png");
        File.Copy(Fixture.Path("Imaging", "corrupt-g4.tif"), Path.Combine(Temp, "in", "b.tif"));
        Image("in/c.png");
        var results = PairExport.Run(ImageFiles.Resolve(Path.Combine(Temp, "in")), Path.Combine(Temp, "out"), new MotionBlurSimulator(new BlurOptions()), 7);
        Assert.Equal([null, "b.tif", null], results.Select(r => r.Error is null ? null : r.Input.RelativePath));
        var csv = File.ReadAllLines(Path.Combine(Temp, "out", "kernels.csv"));
        Assert.Equal(3, csv.Length); // header, a.png, c.png
        Assert.True(File.Exists(Path.Combine(Temp, "out", "blurred", "c.png")));
    }

    [Fact]
    public void Names_that_differ_only_in_case_clash_in_simulate_as_in_deblur()
    {
        Image("in/x.png");
        Image("in/X.png");
        Image("in/y.png");
        var inputs = ImageFiles.Resolve(Path.Combine(Temp, "in"));
        var pairs = PairExport.Run(inputs, Path.Combine(Temp, "pairs"), new MotionBlurSimulator(new BlurOptions()), 7).ToDictionary(r => r.Input.RelativePath);
        var deblurred = BatchDeblur.Run(inputs, Path.Combine(Temp, "deblurred"), Deblurrer()).ToDictionary(r => r.Input.RelativePath);
        foreach (var name in new[] { "x.png", "X.png" })
        {
            Assert.Equal("failed", deblurred[name].Status);
            Assert.NotNull(pairs[name].Error);
            Assert.Contains("rename one", pairs[name].Error);
        }
        Assert.Null(pairs["y.png"].Error);
        Assert.Equal("written", deblurred["y.png"].Status);
    }

    [Fact]
    public void A_symbolic_link_loop_is_not_followed_and_each_image_is_taken_once()
    {
        if (OperatingSystem.IsWindows()) return;
        Image("in/a.png");
        Image("in/sub/b.png");
        Directory.CreateSymbolicLink(Path.Combine(Temp, "in", "self"), ".");
        Directory.CreateSymbolicLink(Path.Combine(Temp, "in", "sub", "loop"), "..");
        File.CreateSymbolicLink(Path.Combine(Temp, "in", "again.png"), Path.Combine(Temp, "in", "a.png"));
        var skipped = new List<string>();
        var inputs = ImageFiles.Resolve(Path.Combine(Temp, "in"), skipped: skipped.Add);
        Assert.Equal(["a.png", "sub/b.png"], inputs.Select(i => i.RelativePath));
        Assert.Contains(skipped, s => s.Contains("self") && s.Contains("not followed"));
        Assert.Contains(skipped, s => s.Contains("again.png") && s.Contains("same file"));
    }

    [Fact]
    public async Task A_fifo_in_an_input_folder_is_skipped_with_a_message()
    {
        if (OperatingSystem.IsWindows()) return;
        Image("in/a.png");
        Assert.Equal(0, HostileImageTests.MakeFifo(Path.Combine(Temp, "in", "x.png"), 0b110_100_100));
        var skipped = new List<string>();
        var run = Task.Run(() => BatchDeblur.Run(ImageFiles.Resolve(Path.Combine(Temp, "in"), skipped: skipped.Add), Path.Combine(Temp, "out"), Deblurrer()));
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))) == run, "a FIFO made the batch hang");
        Assert.Equal("a.png", Assert.Single(await run).Input.RelativePath);
        Assert.Contains(skipped, s => s.Contains("x.png") && s.Contains("not a regular file"));
    }

    [Fact]
    public void The_dataset_counts_an_image_reachable_under_two_paths_once()
    {
        if (OperatingSystem.IsWindows()) return;
        for (int i = 0; i < 6; i++) Image($"data/ct/s{i}.png");
        Image("data/mri/m.png");
        Directory.CreateSymbolicLink(Path.Combine(Temp, "data", "mri", "copies"), Path.Combine(Temp, "data", "ct"));
        Directory.CreateSymbolicLink(Path.Combine(Temp, "data", "ct", "loop"), "..");
        var dataset = ImageFolderDataset.Open(Path.Combine(Temp, "data"));
        Assert.Equal(7, dataset.Items.Count);
        Assert.DoesNotContain(dataset.Items, i => i.RelativePath.Contains("copies") || i.RelativePath.Contains("loop"));
        Assert.NotEmpty(dataset.Skipped);
    }

    [Fact]
    public void An_output_folder_inside_the_input_folder_is_never_read_as_input()
    {
        Image("n/a.png");
        string output = Path.Combine(Temp, "n", "out");
        var first = BatchDeblur.Run(ImageFiles.Resolve(Path.Combine(Temp, "n"), exclude: output), output, Deblurrer());
        Assert.Equal("written", Assert.Single(first).Status);
        // second run: out/a.png exists now; neither the resolver nor the batch takes it as an input
        var inputs = ImageFiles.Resolve(Path.Combine(Temp, "n"), exclude: output);
        Assert.Equal(["a.png"], inputs.Select(i => i.RelativePath));
        var second = BatchDeblur.Run(ImageFiles.Resolve(Path.Combine(Temp, "n")), output, Deblurrer());
        Assert.Equal("skipped", Assert.Single(second).Status);
        Assert.False(Directory.Exists(Path.Combine(output, "out")));
        var pairs = PairExport.Run(ImageFiles.Resolve(Path.Combine(Temp, "n")), Path.Combine(Temp, "n", "pairs"), new MotionBlurSimulator(new BlurOptions()), 1);
        var again = PairExport.Run(ImageFiles.Resolve(Path.Combine(Temp, "n")), Path.Combine(Temp, "n", "pairs"), new MotionBlurSimulator(new BlurOptions()), 1);
        Assert.Equal(pairs.Count, again.Count);
    }
}
