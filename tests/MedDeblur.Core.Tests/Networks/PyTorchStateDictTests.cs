using System.Collections;
using MedDeblur.Configuration;
using MedDeblur.Imaging;
using MedDeblur.Networks;
using MedDeblur.Tests.Cli;
using MedDeblur.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Networks;

/// <summary>
/// Checkpoints written by PyTorch as the official code writes them (tests/reference/make_pytorch_checkpoint_fixtures.py,
/// from the PyTorch reference network bench/pytorch/meddeblur_reference.py with the official key names): the kit loads
/// them and computes the same output as PyTorch.
/// </summary>
public sealed class PyTorchStateDictTests : TempFolderTest
{
    private const double Tolerance = 1e-4;


    private static string PyTorchFixture(params string[] parts) => Fixture.Path(["PyTorch", .. parts]);

    /// <summary>
    /// Largest absolute difference between the kit's output and PyTorch's (float32) on the fixture's input, computed by
    /// the kit in float32 or, with <paramref name="dtype"/> = float64, in double precision (network and input converted).
    /// </summary>
    private static double MaxDifference(DeblurNetwork network, string ioFile, ScalarType dtype = ScalarType.Float32)
    {
        var (io, _, _) = PyTorchStateDict.Read(ioFile);
        try
        {
            using var _ = no_grad();
            network.to(dtype);
            using var input = io["input"].to(dtype);
            using var output = network.call(input);
            Assert.Equal(io["output"].shape, output.shape);
            using var expected = io["output"].to(dtype);
            using var difference = (output - expected).abs().max().to(ScalarType.Float64);
            return difference.item<double>();
        }
        finally
        {
            foreach (var t in io.Values) t.Dispose();
        }
    }

    [Fact]
    public void The_official_checkpoint_layout_loads_and_gives_PyTorchs_output()
    {
        var (network, info) = PyTorchStateDict.LoadNetwork(PyTorchFixture("meddeblur_w4.pth"));
        using (network)
        {
            Assert.Equal("meddeblur", info.Model);
            Assert.Equal("stateDictEG", info.Entry);
            Assert.Equal(1, info.Step);
            Assert.Equal(NetworkOptions.Paper with { Widths = [4, 8, 16], SeReduction = 4 }, info.Options);
            // In float32 (what deblur runs: the convolution path the self-check chose for this CPU) and in float64. Before
            // the self-check, oneDNN's float32 convolutions at these narrow widths were 0.18 off on AMD Zen 5.
            Assert.InRange(MaxDifference(network, PyTorchFixture("meddeblur_w4_io.pth")), 0, Tolerance);
            Assert.InRange(MaxDifference(network, PyTorchFixture("meddeblur_w4_io.pth"), ScalarType.Float64), 0, Tolerance);

            // A freshly initialised network does not give that output: the comparison sees the loaded weights.
            using var fresh = NetworkRegistry.Create("meddeblur", info.Options, seed: 3);
            Assert.True(MaxDifference(fresh, PyTorchFixture("meddeblur_w4_io.pth"), ScalarType.Float64) > 0.01);
        }
    }

    [Fact]
    public void An_SRN_DeblurNet_state_dict_loads_through_Checkpoint_LoadNetwork_and_gives_PyTorchs_output()
    {
        string path = PyTorchFixture("srn_w4.pth");
        var (network, header) = Checkpoint.LoadNetwork(path);
        using (network)
        {
            Assert.Equal("srn", header.Model);
            Assert.Equal(PyTorchStateDict.FormatName, header.Format);
            Assert.Equal(0, header.Step);
            var options = RunOptions.Parse(header.Options.ToJsonString(), "header");
            Assert.Equal(NetworkRegistry.EffectiveOptions("srn", NetworkOptions.Paper with { Widths = [4, 8, 16] }), options.Network);
            Assert.Equal(Presets.Load("paper").Blur, options.Blur);
            Assert.InRange(MaxDifference(network, PyTorchFixture("srn_w4_io.pth")), 0, Tolerance);
        }
    }

    [Theory]
    [InlineData("meddeblur", 8_028_917)]
    [InlineData("srn", 10_250_723)]
    public void At_the_paper_widths_the_official_keys_and_shapes_are_the_kits_and_identify_the_network(string name, long parameters)
    {
        using var json = Fixture.Json("PyTorch", "paper_keys.json");
        var entry = json.RootElement.GetProperty(name);
        Assert.Equal(parameters, entry.GetProperty("parameters").GetInt64());
        var official = entry.GetProperty("tensors").EnumerateArray().ToDictionary(
            t => t.GetProperty("key").GetString()!,
            t => t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());

        var (model, options) = PyTorchStateDict.Identify(official, "paper_keys.json");
        Assert.Equal(name, model);
        Assert.Equal(NetworkRegistry.EffectiveOptions(name, NetworkOptions.Paper), options);

        using var network = NetworkRegistry.Create(name, NetworkOptions.Paper);
        var kit = network.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        Assert.Equal(official.Keys.Order(StringComparer.Ordinal), kit.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, shape) in official) Assert.True(shape.SequenceEqual(kit[key]), key);
    }

    /// <summary>The paper-width check: 32 MB of weights, written by the fixture script with <c>--paper</c> into
    /// Fixtures/PyTorch/local (not committed); skipped where that file is absent.</summary>
    [LocalFixtureFact("PyTorch", "local", "meddeblur_paper.pth")]
    public void At_the_paper_widths_the_kit_gives_PyTorchs_output()
    {
        var (network, info) = PyTorchStateDict.LoadNetwork(PyTorchFixture("local", "meddeblur_paper.pth"));
        using (network)
        {
            Assert.Equal(("meddeblur", NetworkOptions.Paper), (info.Model, info.Options));
            Assert.Equal(8_028_917, network.ParameterCount);
            Assert.InRange(MaxDifference(network, PyTorchFixture("local", "meddeblur_paper_io.pth")), 0, Tolerance);
        }
    }

    [Fact]
    public void Deblur_accepts_a_pth_file()
    {
        string input = Path.Combine(Temp, "in");
        using (var scope = NewDisposeScope()) ImageIO.Write(Path.Combine(input, "a.png"), rand(3, 40, 56), 8);
        var (exit, output, err) = CliHarness.Run("deblur", "--checkpoint", PyTorchFixture("meddeblur_w4.pth"), "--input", input,
            "--output", Path.Combine(Temp, "out"), "--device", "cpu");
        Assert.True(exit == 0, err);
        Assert.Contains("meddeblur", err);
        Assert.Contains("PyTorch", err);
        Assert.Contains("1 written", output);
        using var restored = ImageIO.Read(Path.Combine(Temp, "out", "a.png"));
        Assert.Equal((3, 40L, 56L), (restored.Channels, restored.Pixels.shape[1], restored.Pixels.shape[2]));
    }

    [Fact]
    public void Evaluate_accepts_a_pth_file()
    {
        var (exit, output, err) = CliHarness.Run("evaluate", "--checkpoint", PyTorchFixture("srn_w4.pth"), "--output", Path.Combine(Temp, "eval"),
            "--split", "validation", "--device", "cpu");
        Assert.True(exit == 0, err);
        Assert.Contains("SRN-Deblur", output);
        Assert.Contains("Blurry input", output);
        Assert.True(File.Exists(Path.Combine(Temp, "eval", "per_image.csv")));
    }

    [Fact]
    public void A_truncated_file_is_named_with_the_problem()
    {
        string cut = Path.Combine(Temp, "cut.pth");
        var bytes = File.ReadAllBytes(PyTorchFixture("meddeblur_w4.pth"));
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var e = Assert.ThrowsAny<MedDeblurException>(() => Checkpoint.LoadNetwork(cut));
        Assert.Contains(cut, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_state_dict_of_another_network_is_named_with_the_problem()
    {
        string path = Path.Combine(Temp, "dncnn.pth");
        using (var dncnn = NetworkRegistry.Create("dncnn", TestImages.Smoke)) dncnn.save_py(path);
        var e = Assert.ThrowsAny<MedDeblurException>(() => Checkpoint.LoadNetwork(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not a state dictionary of MedDeblur or SRN-DeblurNet", e.Message);
        Assert.Contains("dncnn.0.weight", e.Message);
    }

    [Fact]
    public void A_MedDeblur_state_dict_with_a_missing_or_misshapen_tensor_lists_them()
    {
        string path = Path.Combine(Temp, "partial.pth");
        using (var network = NetworkRegistry.Create("meddeblur", TestImages.Smoke))
        {
            var stateDict = new Hashtable();
            foreach (var (key, value) in network.state_dict())
                if (key != "outblock.conv.0.bias") stateDict[key] = key == "dblock1.deconv.0.bias" ? zeros(5) : value;
            PyTorchPickler.PickleStateDict(path, stateDict);
        }
        var e = Assert.ThrowsAny<MedDeblurException>(() => PyTorchStateDict.LoadNetwork(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("outblock.conv.0.bias", e.Message);
        Assert.Contains("dblock1.deconv.0.bias", e.Message);
    }

    [Fact]
    public void The_legacy_format_and_other_files_are_refused_by_name()
    {
        string legacy = Path.Combine(Temp, "legacy.pth");
        File.WriteAllBytes(legacy, [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46]);
        var e = Assert.ThrowsAny<MedDeblurException>(() => Checkpoint.LoadNetwork(legacy));
        Assert.Contains(legacy, e.Message);
        Assert.Contains("legacy format", e.Message);

        string text = Path.Combine(Temp, "notes.pth");
        File.WriteAllText(text, "not weights");
        Assert.False(PyTorchStateDict.IsPyTorchFile(text));
        var e2 = Assert.ThrowsAny<MedDeblurException>(() => PyTorchStateDict.Read(text));
        Assert.Contains(text, e2.Message);
        Assert.Contains("not a PyTorch file", e2.Message);
    }

    [Fact]
    public void Training_cannot_resume_from_a_pth_file_and_says_why()
    {
        using var network = NetworkRegistry.Create("meddeblur", TestImages.Smoke);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(PyTorchFixture("srn_w4.pth"), network));
        Assert.Contains("PyTorch file", e.Message);
    }
}

/// <summary>A fact that runs only when a fixture file that is not committed (too large) exists under Fixtures/; reported
/// as skipped, with how to make the file, where it is absent.</summary>
public sealed class LocalFixtureFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute for the fixture Fixtures/<paramref name="parts"/>.</summary>
    public LocalFixtureFactAttribute(params string[] parts)
    {
        if (!File.Exists(Fixture.Path(parts)))
            Skip = $"local fixture Fixtures/{string.Join('/', parts)} absent (make it with tests/reference/make_pytorch_checkpoint_fixtures.py --paper)";
    }
}
