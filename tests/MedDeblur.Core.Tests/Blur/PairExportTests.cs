using MedDeblur.Blur;
using MedDeblur.Data;
using MedDeblur.Figures;
using MedDeblur.Imaging;
using MedDeblur.Reproduction;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Blur;

public sealed class PairExportTests : TempFolderTest
{
    private void MakeImage(string relative, ulong seed)
    {
        using var scope = NewDisposeScope();
        ImageIO.Write(Path.Combine(Temp, "in", relative), rand(1, 24, 20, generator: new Generator(seed)));
    }

    [Fact]
    public void Inputs_differing_only_by_extension_get_distinct_outputs()
    {
        MakeImage("m/a.png", 1);
        MakeImage("m/a.tif", 2);
        MakeImage("m/b.png", 3);
        var inputs = ImageFiles.Resolve(Path.Combine(Temp, "in"));
        var results = PairExport.Run(inputs, Path.Combine(Temp, "out"), new MotionBlurSimulator(), 5);
        Assert.All(results, r => Assert.Null(r.Error));
        string Sharp(string name) => Path.Combine(Temp, "out", "sharp", "m", name);
        Assert.Equal(["a.png.png", "a.tif.png", "b.png"], Directory.GetFiles(Path.Combine(Temp, "out", "blurred", "m")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var fromPng = ImageIO.Read(Sharp("a.png.png"));
        using var fromTif = ImageIO.Read(Sharp("a.tif.png"));
        using var png = ImageIO.Read(Path.Combine(Temp, "in", "m", "a.png"));
        using var tif = ImageIO.Read(Path.Combine(Temp, "in", "m", "a.tif"));
        Assert.True(fromPng.Pixels.allclose(png.Pixels, rtol: 0, atol: 0));
        Assert.Equal((tif.Channels, tif.BitDepth, tif.Width, tif.Height), (fromTif.Channels, fromTif.BitDepth, fromTif.Width, fromTif.Height));
        Assert.True((fromTif.Pixels - tif.Pixels).abs().max().item<float>() < 1e-6f); // PNG and TIFF decoders scale by 1/255 differently
        Assert.True((fromTif.Pixels - fromPng.Pixels).abs().max().item<float>() > 0.1f, "both outputs hold the same image");
    }

    [Fact]
    public void Pair_export_and_Figure_4_work_with_sensor_noise()
    {
        MakeImage("mri/a.png", 1);
        MakeImage("ct/b.png", 2);
        File.WriteAllLines(Path.Combine(Temp, "in", "splits.csv"), ["path,group,split", "mri/a.png,a,test", "ct/b.png,b,test"]);
        var noisy = new MotionBlurSimulator(new BlurOptions { NoiseSigma = 0.02, MinLength = 5, MaxLength = 9 });
        var figure = ReproducePipeline.BlurPairsFigure(ImageFolderDataset.Open(Path.Combine(Temp, "in")), noisy, 2023);
        Assert.True(figure.Width > 0);

        var inputs = ImageFiles.Resolve(Path.Combine(Temp, "in"));
        var results = PairExport.Run(inputs, Path.Combine(Temp, "out"), noisy, 2023);
        Assert.All(results, r => Assert.Null(r.Error));
        using var scope = NewDisposeScope();
        using var sharp = ImageIO.Read(Path.Combine(Temp, "in", "mri", "a.png"));
        using var written = ImageIO.Read(Path.Combine(Temp, "out", "blurred", "mri", "a.png"));
        var (expected, kernel) = noisy.ApplyFixed(sharp.Pixels, 2023, "mri/a.png");
        Assert.Equal(noisy.FixedFor(2023, "mri/a.png"), kernel);
        Assert.True((written.Pixels - expected).abs().max().item<float>() <= 0.5f / 255 + 1e-6f, "written blurred image differs from ApplyFixed");
        var clean = new MotionBlurSimulator(noisy.Options with { NoiseSigma = 0 }).Apply(sharp.Pixels, kernel);
        Assert.True((written.Pixels - clean).abs().max().item<float>() > 0.02f, "noise missing from the written image");
    }
}
