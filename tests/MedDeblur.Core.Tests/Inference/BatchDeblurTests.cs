using MedDeblur.Configuration;
using MedDeblur.Imaging;
using MedDeblur.Inference;
using MedDeblur.Metrics;
using MedDeblur.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Inference;

public sealed class BatchDeblurTests : IDisposable
{
    private readonly string temp = Fixture.TempFolder();
    private readonly DeblurNetwork network = NetworkRegistry.Create("meddeblur", Presets.Load("smoke").Network, 1);

    public void Dispose()
    {
        network.Dispose();
        Directory.Delete(temp, recursive: true);
    }

    private Deblurrer Deblurrer(int tile = 512) => new(network, CPU, new TileOptions { TileSize = tile, Overlap = 48 });

    [Fact]
    public void Outputs_keep_bit_depth_channels_and_alpha_and_reruns_skip_finished_files()
    {
        using (var scope = NewDisposeScope())
        {
            ImageIO.Write(Path.Combine(temp, "in", "gray16.png"), rand(1, 40, 36), 16);
            ImageIO.Write(Path.Combine(temp, "in", "sub", "rgba8.png"), rand(4, 33, 47), 8);
            ImageIO.Write(Path.Combine(temp, "in", "rgb16.tif"), rand(3, 20, 24), 16);
        }
        File.WriteAllText(Path.Combine(temp, "in", "broken.png"), "not an image");
        var inputs = ImageFiles.Resolve(Path.Combine(temp, "in"));
        string output = Path.Combine(temp, "out");
        var first = BatchDeblur.Run(inputs, output, Deblurrer());
        Assert.Equal(["failed", "written", "written", "written"], first.Select(r => r.Status));
        Assert.Contains("broken.png", first[0].Error);
        using (var g = ImageIO.Read(Path.Combine(output, "gray16.png")))
            Assert.Equal((16, 1, 36, 40), (g.BitDepth, g.StoredChannels, g.Width, g.Height));
        using (var a = ImageIO.Read(Path.Combine(output, "sub", "rgba8.png")))
        {
            Assert.Equal((8, 4), (a.BitDepth, a.StoredChannels));
            using var original = ImageIO.Read(Path.Combine(temp, "in", "sub", "rgba8.png"));
            Assert.True(a.Alpha!.allclose(original.Alpha!), "alpha must be carried over unchanged");
        }
        using (var t = ImageIO.Read(Path.Combine(output, "rgb16.tif")))
            Assert.Equal((ImageFileFormat.Tiff, 16, 3), (t.Format, t.BitDepth, t.StoredChannels));
        var second = BatchDeblur.Run(inputs, output, Deblurrer());
        Assert.Equal(["failed", "skipped", "skipped", "skipped"], second.Select(r => r.Status));
    }

    [Fact]
    public void An_output_folder_equal_to_the_input_folder_never_overwrites_an_input()
    {
        using (var scope = NewDisposeScope()) ImageIO.Write(Path.Combine(temp, "a.png"), rand(3, 16, 16));
        var before = File.ReadAllBytes(Path.Combine(temp, "a.png"));
        var result = BatchDeblur.Run(ImageFiles.Resolve(temp), temp, Deblurrer());
        Assert.Equal("failed", Assert.Single(result).Status);
        Assert.Contains("would overwrite an input", result[0].Error);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(temp, "a.png")));
    }

    [Fact]
    public void Inputs_that_differ_only_in_extension_get_distinct_outputs_and_real_clashes_fail()
    {
        using (var scope = NewDisposeScope())
        {
            ImageIO.Write(Path.Combine(temp, "in", "a.png"), rand(3, 16, 16));
            ImageIO.Write(Path.Combine(temp, "in", "b.jpg.png"), rand(3, 16, 16));
        }
        // the decoder reads the content, so PNG bytes stand in for JPEG files (the kit writes no JPEG)
        File.Copy(Path.Combine(temp, "in", "a.png"), Path.Combine(temp, "in", "a.jpg"));
        File.Copy(Path.Combine(temp, "in", "a.png"), Path.Combine(temp, "in", "b.jpg"));
        var result = BatchDeblur.Run(ImageFiles.Resolve(Path.Combine(temp, "in")), Path.Combine(temp, "out"), Deblurrer())
            .ToDictionary(r => r.Input.RelativePath);
        Assert.Equal(("written", "written"), (result["a.png"].Status, result["a.jpg"].Status));
        Assert.NotEqual(result["a.png"].OutputPath, result["a.jpg"].OutputPath);
        Assert.True(File.Exists(Path.Combine(temp, "out", "a.jpg.png")));
        Assert.Equal(("failed", "failed"), (result["b.jpg"].Status, result["b.jpg.png"].Status));
        Assert.Contains("b.jpg and b.jpg.png", result["b.jpg"].Error);
    }

    [Fact]
    public void Shards_partition_the_files_deterministically()
    {
        var names = Enumerable.Range(0, 200).Select(i => $"scan{i}.png").ToArray();
        var parts = Enumerable.Range(0, 3).Select(i => names.Where(new Shard(i, 3).Contains).ToArray()).ToArray();
        Assert.Equal(200, parts.Sum(p => p.Length));
        Assert.Empty(parts[0].Intersect(parts[1]));
        Assert.All(parts, p => Assert.InRange(p.Length, 40, 95));
        Assert.Equal(parts[1], names.Where(Shard.Parse("1/3").Contains));
        Assert.Throws<ArgumentException>(() => Shard.Parse("3/3"));
    }

    [Fact]
    public void Tiled_and_whole_image_deblurring_agree_within_0_05_dB()
    {
        using var scope = NewDisposeScope();
        using var image = ImageIO.Read(Fixture.Sample("microscopy/ihc_colon_fhl2.png"));
        var sharp = image.Pixels[.., ..300, ..280];
        var blurred = new MedDeblur.Blur.MotionBlurSimulator().Apply(sharp, new MedDeblur.Blur.BlurKernelParameters(21, 12));
        var whole = Deblurrer(tile: 512).Deblur(blurred);
        var tiled = Deblurrer(tile: 128).Deblur(blurred);
        double pw = ImageQuality.Psnr(sharp, whole)[0], pt = ImageQuality.Psnr(sharp, tiled)[0];
        Assert.True(Math.Abs(pw - pt) < 0.05, $"whole {pw:F3} dB vs tiled {pt:F3} dB");
        Assert.True(ImageQuality.Psnr(whole, tiled)[0] > 35, "tiled output should be close to the whole-image output");
    }
}
