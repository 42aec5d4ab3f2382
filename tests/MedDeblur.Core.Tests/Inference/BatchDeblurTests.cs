using MedDeblur.Configuration;
using MedDeblur.Imaging;
using MedDeblur.Inference;
using MedDeblur.Metrics;
using MedDeblur.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Inference;

public sealed class BatchDeblurTests : TempFolderTest
{
    private readonly DeblurNetwork network = NetworkRegistry.Create("meddeblur", Presets.Load("smoke").Network, 1);

    protected override void Dispose(bool disposing)
    {
        if (disposing) network.Dispose();
        base.Dispose(disposing);
    }

    private Deblurrer Deblurrer(int tile = 512) => new(network, CPU, new TileOptions { TileSize = tile, Overlap = 48 });

    [Fact]
    public void Outputs_keep_bit_depth_channels_and_alpha_and_reruns_skip_finished_files()
    {
        using (var scope = NewDisposeScope())
        {
            ImageIO.Write(Path.Combine(Temp, "in", "gray16.png"), rand(1, 40, 36), 16);
            ImageIO.Write(Path.Combine(Temp, "in", "sub", "rgba8.png"), rand(4, 33, 47), 8);
            ImageIO.Write(Path.Combine(Temp, "in", "rgb16.tif"), rand(3, 20, 24), 16);
        }
        File.WriteAllText(Path.Combine(Temp, "in", "broken.png"), "not an image");
        var inputs = ImageFiles.Resolve(Path.Combine(Temp, "in"));
        string output = Path.Combine(Temp, "out");
        var first = BatchDeblur.Run(inputs, output, Deblurrer());
        Assert.Equal(["failed", "written", "written", "written"], first.Select(r => r.Status));
        Assert.Contains("broken.png", first[0].Error);
        using (var g = ImageIO.Read(Path.Combine(output, "gray16.png")))
            Assert.Equal((16, 1, 36, 40), (g.BitDepth, g.StoredChannels, g.Width, g.Height));
        using (var a = ImageIO.Read(Path.Combine(output, "sub", "rgba8.png")))
        {
            Assert.Equal((8, 4), (a.BitDepth, a.StoredChannels));
            using var original = ImageIO.Read(Path.Combine(Temp, "in", "sub", "rgba8.png"));
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
        using (var scope = NewDisposeScope()) ImageIO.Write(Path.Combine(Temp, "a.png"), rand(3, 16, 16));
        var before = File.ReadAllBytes(Path.Combine(Temp, "a.png"));
        var result = BatchDeblur.Run(ImageFiles.Resolve(Temp), Temp, Deblurrer());
        Assert.Equal("failed", Assert.Single(result).Status);
        Assert.Contains("would overwrite an input", result[0].Error);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(Temp, "a.png")));
    }

    [Fact]
    public void Inputs_that_differ_only_in_extension_get_distinct_outputs_and_real_clashes_fail()
    {
        using (var scope = NewDisposeScope())
        {
            ImageIO.Write(Path.Combine(Temp, "in", "a.png"), rand(3, 16, 16));
            ImageIO.Write(Path.Combine(Temp, "in", "b.jpg.png"), rand(3, 16, 16));
        }
        // the decoder reads the content, so PNG bytes stand in for JPEG files (the kit writes no JPEG)
        File.Copy(Path.Combine(Temp, "in", "a.png"), Path.Combine(Temp, "in", "a.jpg"));
        File.Copy(Path.Combine(Temp, "in", "a.png"), Path.Combine(Temp, "in", "b.jpg"));
        var result = BatchDeblur.Run(ImageFiles.Resolve(Path.Combine(Temp, "in")), Path.Combine(Temp, "out"), Deblurrer())
            .ToDictionary(r => r.Input.RelativePath);
        Assert.Equal(("written", "written"), (result["a.png"].Status, result["a.jpg"].Status));
        Assert.NotEqual(result["a.png"].OutputPath, result["a.jpg"].OutputPath);
        Assert.True(File.Exists(Path.Combine(Temp, "out", "a.jpg.png")));
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
        Assert.Equal(parts[1], names.Where(MedDeblur.Cli.CliMessages.ParseShard("1/3").Contains));
        Assert.Throws<ArgumentException>(() => MedDeblur.Cli.CliMessages.ParseShard("3/3"));
    }

    [Fact]
    public void Tiled_deblurring_of_a_large_image_matches_the_whole_image_and_blending_removes_the_seams()
    {
        using var scope = NewDisposeScope();
        // a network whose output depends on its context: the smoke MedDeblur with its weights scaled by 1.6, so it changes
        // the image substantially (about 16 dB from its input) and the zero padding at a tile's edge shows (at init it is
        // so nearly local that even side-by-side tiles agree to 61 dB; x1.6 gives 41 dB seams)
        using var network16 = NetworkRegistry.Create("meddeblur", Presets.Load("smoke").Network, 7);
        using (no_grad())
            foreach (var p in network16.parameters()) p.mul_(1.6);
        using var image = ImageIO.Read(Fixture.Sample("microscopy/ihc_colon_fhl2.png"));
        var sharp = nn.functional.interpolate(image.Pixels[.., ..256, ..256].unsqueeze(0), [1024, 1024], mode: InterpolationMode.Bilinear).squeeze(0);
        var blurred = new MedDeblur.Blur.MotionBlurSimulator().Apply(sharp, new MedDeblur.Blur.BlurKernelParameters(21, 12));
        Tensor Run(int tile, int overlap) => new Deblurrer(network16, CPU, new TileOptions { TileSize = tile, Overlap = overlap }).Deblur(blurred);
        var whole = Run(2048, 64);
        var tiled = Run(384, 64); // 3 x 3 tiles, cross-faded overlaps
        var naive = Run(384, 0);  // side by side without overlap
        Assert.True(ImageQuality.Psnr(blurred, whole)[0] < 25, "the network must change the image for the comparison to mean anything");
        double pw = ImageQuality.Psnr(sharp, whole)[0], pt = ImageQuality.Psnr(sharp, tiled)[0];
        Assert.True(Math.Abs(pw - pt) < 0.05, $"whole {pw:F3} dB vs tiled {pt:F3} dB");
        double agreement = ImageQuality.Psnr(whole, tiled)[0], seams = ImageQuality.Psnr(whole, naive)[0];
        Assert.True(agreement > 48, $"tiled vs whole: {agreement:F2} dB");
        Assert.True(seams < agreement - 6, $"blending should beat side-by-side tiles clearly: {agreement:F2} dB vs {seams:F2} dB");
    }
}
