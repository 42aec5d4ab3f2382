using MedDeblur.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Networks;

public sealed class WeightsFileTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "meddeblur-weights-" + Guid.NewGuid().ToString("N"));

    public WeightsFileTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("meddeblur")]
    [InlineData("srn")]
    [InlineData("deepdeblur")] // its up-convolutions sit in a ModuleDict (conv_end_models.1, .2)
    [InlineData("dncnn")]
    [InlineData("temimagenet")]
    public void Save_and_load_round_trip_gives_identical_outputs(string name)
    {
        string path = Path.Combine(folder, "sub", name + ".weights");
        using var x = TestImages.Random(51, 1, 3, 37, 53);
        using var source = NetworkRegistry.Create(name, TestImages.Smoke, seed: 5);
        // Train one step so batch-norm running statistics and weights differ from any fresh initialisation.
        using (var opt = optim.Adam(source.parameters(), lr: 1e-2))
        {
            source.train();
            opt.zero_grad();
            source.call(x).mean().backward();
            opt.step();
        }
        source.eval();
        WeightsFile.Save(source, path);
        Assert.False(File.Exists(path + ".tmp"));

        using var target = NetworkRegistry.Create(name, TestImages.Smoke, seed: 6);
        target.eval();
        using var before = target.call(x);
        using var expected = source.call(x);
        Assert.False(before.allclose(expected, rtol: 0, atol: 1e-6));
        WeightsFile.Load(target, path);
        using var after = target.call(x);
        Assert.True(after.allclose(expected, rtol: 0, atol: 0));
    }

    [Fact]
    public void Weights_file_is_readable_by_torchsharp_module_load()
    {
        string path = Path.Combine(folder, "srn.weights");
        using var source = NetworkRegistry.Create("srn", TestImages.Smoke, seed: 1);
        WeightsFile.Save(source, path);
        using var target = NetworkRegistry.Create("srn", TestImages.Smoke, seed: 2);
        target.load(path);
        var a = source.state_dict();
        foreach (var (key, t) in target.state_dict()) Assert.True(t.allclose(a[key], rtol: 0, atol: 0), key);
    }

    [Fact]
    public void Loading_another_architecture_lists_missing_and_unexpected_keys()
    {
        string path = Path.Combine(folder, "srn.weights");
        using (var srn = NetworkRegistry.Create("srn", TestImages.Smoke)) WeightsFile.Save(srn, path);
        using var med = NetworkRegistry.Create("meddeblur", TestImages.Smoke);
        var e = Assert.Throws<MedDeblurException>(() => WeightsFile.Load(med, path));
        Assert.Contains("meddeblur", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains("missing keys", e.Message);
        Assert.Contains("inblock.resblock_stack.0.dense_layers.0.conv.weight", e.Message);
        Assert.Contains("unexpected keys", e.Message);
        Assert.Contains("inblock.resblock_stack.0.conv1.0.weight", e.Message);
    }

    [Fact]
    public void Loading_other_widths_lists_the_shape_mismatches_and_changes_nothing()
    {
        string path = Path.Combine(folder, "wide.weights");
        using (var wide = NetworkRegistry.Create("meddeblur", TestImages.Smoke with { Widths = [8, 8, 8] }))
            WeightsFile.Save(wide, path);
        using var narrow = NetworkRegistry.Create("meddeblur", TestImages.Smoke, seed: 9);
        using var before = narrow.state_dict()["inblock.conv.0.bias"].clone();
        var e = Assert.Throws<MedDeblurException>(() => WeightsFile.Load(narrow, path));
        Assert.Contains("shape or dtype mismatches", e.Message);
        Assert.Contains("inblock.conv.0.weight: file [8, 6, 5, 5] Float32, network [4, 6, 5, 5] Float32", e.Message);
        Assert.DoesNotContain("missing keys", e.Message);
        Assert.True(narrow.state_dict()["inblock.conv.0.bias"].allclose(before, rtol: 0, atol: 0));
    }

    [Fact]
    public void A_file_that_is_not_a_weights_file_is_rejected_with_its_path()
    {
        string path = Path.Combine(folder, "notes.txt");
        File.WriteAllText(path, "this is not a tensor file, just some text that goes on for a while");
        using var net = NetworkRegistry.Create("dncnn", TestImages.Smoke);
        var e = Assert.Throws<MedDeblurException>(() => WeightsFile.Load(net, path));
        Assert.Contains(path, e.Message);
        var missing = Assert.Throws<MedDeblurException>(() => WeightsFile.Load(net, Path.Combine(folder, "none.weights")));
        Assert.Contains("not found", missing.Message);
    }

    [Fact]
    public void Truncated_weights_file_is_rejected()
    {
        string path = Path.Combine(folder, "cut.weights");
        using var net = NetworkRegistry.Create("dncnn", TestImages.Smoke);
        WeightsFile.Save(net, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<MedDeblurException>(() => WeightsFile.Load(net, path));
        Assert.Contains("truncated", e.Message);
    }
}
