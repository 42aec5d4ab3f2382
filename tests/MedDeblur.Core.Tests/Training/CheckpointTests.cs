using System.Text.Json.Nodes;
using MedDeblur.Configuration;
using MedDeblur.Networks;
using MedDeblur.Training;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Training;

public sealed class CheckpointTests : TempFolderTest
{
    private string Save(string model, string name)
    {
        var options = Presets.Load("smoke") with { Model = model };
        using var network = NetworkRegistry.Create(model, options.Network, 3);
        string path = Path.Combine(Temp, name);
        Checkpoint.Save(path, new CheckpointHeader { Model = model, Step = 7, Options = options.ToJsonObject() }, network, null);
        return path;
    }

    [Fact]
    public void Network_is_rebuilt_from_the_checkpoint_alone_with_identical_outputs()
    {
        string path = Save("meddeblur", "a.ckpt");
        var options = Presets.Load("smoke");
        using var original = NetworkRegistry.Create("meddeblur", options.Network, 3);
        var (restored, header) = Checkpoint.LoadNetwork(path);
        using (restored)
        {
            Assert.Equal(7, header.Step);
            Assert.Equal("meddeblur", header.Model);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            original.eval();
            restored.eval();
            var x = rand(1, 3, 32, 32, generator: new Generator(1));
            Assert.True(original.call(x).allclose(restored.call(x)));
        }
    }

    [Fact]
    public void Loading_into_another_architecture_lists_missing_and_unexpected_keys()
    {
        string path = Save("srn", "srn.ckpt");
        using var other = NetworkRegistry.Create("meddeblur", Presets.Load("smoke").Network);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, other));
        Assert.Contains(path, e.Message);
        Assert.Contains("missing", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("unexpected", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Truncated_empty_and_foreign_files_are_reported_with_the_path()
    {
        string good = Save("dncnn", "good.ckpt");
        var bytes = File.ReadAllBytes(good);
        string cut = Path.Combine(Temp, "cut.ckpt");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.LoadNetwork(cut));
        Assert.Contains(cut, e.Message);
        string foreign = Path.Combine(Temp, "foreign.ckpt");
        File.WriteAllText(foreign, "not a checkpoint");
        Assert.Contains("not a MedDeblur checkpoint", Assert.Throws<CheckpointException>(() => Checkpoint.ReadHeader(foreign)).Message);
        Assert.Contains("does not exist", Assert.Throws<CheckpointException>(() => Checkpoint.ReadHeader(Path.Combine(Temp, "none.ckpt"))).Message);
    }

    [Fact]
    public void Header_records_the_options_so_the_run_can_be_repeated()
    {
        string path = Save("dncnn", "h.ckpt");
        var header = Checkpoint.ReadHeader(path);
        var options = RunOptions.Parse(header.Options.ToJsonString(), path);
        Assert.Equal("smoke", options.Name);
        Assert.Equal(Presets.Load("smoke").Blur, options.Blur);
        Assert.IsType<JsonObject>(header.Options["training"]);
    }
}
