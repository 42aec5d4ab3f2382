using MedDeblur.Configuration;
using MedDeblur.Networks;
using MedDeblur.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Networks;

public class ParameterTests
{
    // Every count below was recomputed by hand from the per-module arithmetic of notes 2.7 (the same formulas that give
    // 8,028,917 at the paper widths), not copied from the code under test:
    //   SRN family, widths w0/w1/w2, B blocks per stage, kernel k = 5, LSTM kernel kl:
    //     convs (cin w0 + w0 w1 + w1 w2 + w2 w1 + w1 w0 + 3 w0) k^2 + biases (2 w0 + 2 w1 + w2 + 3), cin = 6 (3 for one scale)
    //     + 2 B [block(w0) + block(w1) + block(w2)] + 2 [SAM(w0) + SAM(w1) + SAM(w2)] (attention) + 8 w2^2 kl^2 + 4 w2 (LSTM)
    //     block = RDB(C) = sum_j 9 g (C + j g) + (C + L g) C, or ResBlock(C) = 2 (25 C^2 + C); SAM(C) = 87 C^2 + 3 C + 163 + 2 C (C / r)
    //   DeepDeblur, F features, R ResBlocks: bodies(6, 6, 3 inputs) = sum (cin 25 F + F) + 3 R 2 (25 F^2 + F) + 3 (75 F + 3), + 2 (900 + 12)
    //   DnCNN, F features, M middle layers: 28 F + M (9 F^2 + 2 F) + 27 F;  TEMImageNet f = F: 3x3 convs and BN of the U-Net
    // Smoke: widths 4/8/8, 1 block, 2 dense layers of growth 4, r 4, kl 3, baselines x1/16 width (F = 4) and x1/10 depth
    // (DeepDeblur R = 2, DnCNN M = 2). Quick: widths 8/16/32, 1 block, 3 dense layers of growth 8, r 4, kl 5, baselines
    // x1/4 width (F = 16) and x1/5 depth (R = 4, M = 3). The paper counts are the published/reference ones.
    // meddeblur-sr and srn are the same network (only srn has no tanh), so they always have the same count.
    public static TheoryData<string, string, long> PresetCounts => new()
    {
        { "paper", "meddeblur", 8_028_917 },      // official MedDeblur, notes 2.7
        { "paper", "meddeblur-base", 6_971_011 }, // SRN minus the ConvLSTM (3,277,312) minus 3 input channels of inblock (2,400)
        { "paper", "meddeblur-sr", 10_250_723 },  // = SRN backbone (plain 5x5 ResBlocks, ConvLSTM, 3 scales)
        { "paper", "srn", 10_250_723 },           // iwtw/SRN-DeblurNet, notes 2.7
        { "paper", "deepdeblur", 11_721_321 },    // DeepDeblur-PyTorch MSResNet defaults
        { "paper", "dncnn", 558_400 },            // DnCNN, 17 layers, 64 features, 3 channels
        { "paper", "temimagenet", 1_743_817 },    // AtomSegNet unet_sigmoid with 3 channels, without the unused bn9_3
        { "quick", "meddeblur", 515_261 },
        { "quick", "meddeblur-base", 167_907 },
        { "quick", "meddeblur-sr", 373_435 },
        { "quick", "srn", 373_435 },
        { "quick", "deepdeblur", 165_465 },
        { "quick", "dncnn", 7_888 },
        { "quick", "temimagenet", 110_329 },
        { "smoke", "meddeblur", 41_025 },
        { "smoke", "meddeblur-base", 19_915 },
        { "smoke", "meddeblur-sr", 24_855 },
        { "smoke", "srn", 24_855 },
        { "smoke", "deepdeblur", 9_093 },
        { "smoke", "dncnn", 524 },
        { "smoke", "temimagenet", 7_237 },
    };

    [Theory]
    [MemberData(nameof(PresetCounts))]
    public void Preset_parameter_count_matches_the_hand_arithmetic(string preset, string name, long expected)
    {
        TorchRuntime.Initialize();
        using var net = NetworkRegistry.Create(name, Presets.Load(preset).Network);
        Assert.Equal(expected, net.ParameterCount);
    }

    [Fact]
    public void Every_registered_network_has_a_count_for_every_preset()
    {
        var pinned = PresetCounts.Select(row => ((string)row[0], (string)row[1])).ToHashSet();
        foreach (var preset in Presets.Names)
            foreach (var name in NetworkRegistry.Names)
                Assert.Contains((preset, name), pinned);
    }

    [Fact]
    public void Meddeblur_modules_match_the_official_per_module_arithmetic()
    {
        using var net = NetworkRegistry.Create("meddeblur", NetworkOptions.Paper);
        var perModule = net.named_children().ToDictionary(c => c.name, c => c.module.parameters().Sum(p => p.numel()));
        var expected = new Dictionary<string, long>
        {
            ["inblock"] = 125_603, ["eblock1"] = 472_035, ["eblock2"] = 1_779_427, ["convlstm"] = 3_277_312,
            ["dblock1"] = 1_779_363, ["dblock2"] = 472_003, ["outblock"] = 123_174,
        };
        Assert.Equal(expected, perModule);
    }

    [Fact]
    public void Meddeblur_state_dict_mirrors_the_official_keys()
    {
        using var net = NetworkRegistry.Create("meddeblur", NetworkOptions.Paper);
        var sd = net.state_dict();
        Assert.Equal(146, sd.Count);
        var expected = new Dictionary<string, long[]>
        {
            ["inblock.conv.0.weight"] = [32, 6, 5, 5],
            ["inblock.resblock_stack.0.dense_layers.0.conv.weight"] = [8, 32, 3, 3],
            ["inblock.resblock_stack.2.dense_layers.2.conv.weight"] = [8, 48, 3, 3],
            ["inblock.resblock_stack.2.conv_1x1.weight"] = [32, 56, 1, 1],
            ["eblock1.sam.multikernelconv1.square_conv.weight"] = [64, 64, 9, 9],
            ["eblock2.sam.multikernelconv1.ver_conv.weight"] = [128, 128, 3, 1],
            ["eblock2.sam.multikernelconv1.hor_conv.bias"] = [128],
            ["dblock1.sam.multikernelconv1.convCat.weight"] = [1, 2, 9, 9],
            ["dblock1.sam.multikernelconv1.depth.fc.0.weight"] = [8, 128],
            ["dblock1.sam.multikernelconv1.depth.fc.2.weight"] = [128, 8],
            ["convlstm.conv.weight"] = [512, 256, 5, 5],
            ["convlstm.conv.bias"] = [512],
            ["dblock1.deconv.0.weight"] = [128, 64, 5, 5],
            ["dblock2.deconv.0.bias"] = [32],
            ["outblock.conv.0.weight"] = [3, 32, 5, 5],
        };
        foreach (var (key, shape) in expected)
        {
            Assert.True(sd.ContainsKey(key), $"missing {key}");
            Assert.Equal(shape, sd[key].shape);
        }
        Assert.DoesNotContain(sd.Keys, k => k.Contains("bias", StringComparison.Ordinal) && k.Contains("resblock_stack", StringComparison.Ordinal));
    }

    [Fact]
    public void Srn_state_dict_mirrors_the_iwtw_keys()
    {
        using var net = NetworkRegistry.Create("srn", NetworkOptions.Paper);
        var sd = net.state_dict();
        Assert.Equal(86, sd.Count);
        Assert.Equal(new long[] { 64, 64, 5, 5 }, sd["eblock1.resblock_stack.2.conv2.0.weight"].shape);
        Assert.Equal(new long[] { 128, 64, 5, 5 }, sd["dblock1.deconv.0.weight"].shape);
        Assert.DoesNotContain(sd.Keys, k => k.Contains(".sam.", StringComparison.Ordinal));
    }

    public static TheoryData<string, Func<NetworkOptions, NetworkOptions>, long> Switches => new()
    {
        // Attention off removes one SAM per block: 2 x (SAM(32) + SAM(64) + SAM(128)).
        { "attention off", o => o with { Attention = false }, -2 * (89_475 + 357_219 + 1_428_003) },
        // Recurrence off removes the ConvLSTM.
        { "recurrence off", o => o with { Recurrent = false }, -3_277_312 },
        // One scale: no previous output to concatenate, inblock conv takes 3 instead of 6 channels.
        { "one scale", o => o with { Scales = 1 }, -(3 * 32 * 25) },
        // Residual blocks instead of RDBs: 3 x 2 x [ResBlock5x5(C) - RDB(C)] over C = 32, 64, 128.
        { "plain residual blocks", o => o with { Block = BlockKind.Residual },
            6 * (51_264 - 10_432) + 6 * (204_928 - 21_184) + 6 * (819_456 - 48_832) },
        // Two RDBs per block instead of three: one RDB less in each of the six blocks.
        { "two blocks per stage", o => o with { BlocksPerStage = 2 }, -2 * (10_432 + 21_184 + 48_832) },
    };

    [Theory]
    [MemberData(nameof(Switches))]
    public void Ablation_switch_changes_the_parameter_count_by_the_removed_modules(
        string what, Func<NetworkOptions, NetworkOptions> change, long delta)
    {
        using var net = NetworkRegistry.Create("meddeblur", change(NetworkOptions.Paper));
        Assert.True(8_028_917 + delta == net.ParameterCount, $"{what}: {net.ParameterCount:N0}");
    }

    [Fact]
    public void Baseline_size_knobs_shrink_width_and_depth_as_documented()
    {
        var options = NetworkOptions.Paper with { Baselines = new BaselineOptions { WidthMultiplier = 0.25, DepthMultiplier = 0.2 } };
        using var dd = (MedDeblur.Networks.Baselines.DeepDeblurNetwork)NetworkRegistry.Create("deepdeblur", options);
        Assert.Equal((16, 4), (dd.Features, dd.ResBlocks));
        using var dn = (MedDeblur.Networks.Baselines.DnCnnNetwork)NetworkRegistry.Create("dncnn", options);
        Assert.Equal((16, 3), (dn.Features, dn.MiddleLayers));
        // DnCNN: 3*16*9+16 + 3*(16*16*9 + 2*16) + 16*3*9
        Assert.Equal(448 + 3 * (2_304 + 32) + 432, dn.ParameterCount);
    }

    [Fact]
    public void Same_seed_gives_identical_weights_and_another_seed_differs()
    {
        using var a = NetworkRegistry.Create("meddeblur", TestImages.Smoke, seed: 7);
        using var b = NetworkRegistry.Create("meddeblur", TestImages.Smoke, seed: 7);
        using var c = NetworkRegistry.Create("meddeblur", TestImages.Smoke, seed: 8);
        var pa = a.parameters().ToArray();
        var pb = b.parameters().ToArray();
        var pc = c.parameters().ToArray();
        for (int i = 0; i < pa.Length; i++) Assert.True(pa[i].allclose(pb[i], rtol: 0, atol: 0));
        Assert.Contains(Enumerable.Range(0, pa.Length), i => !pa[i].allclose(pc[i], rtol: 0, atol: 0));
    }

    [Fact]
    public void Meddeblur_conv_weights_are_xavier_normal_and_biases_follow_pytorch_defaults()
    {
        using var net = NetworkRegistry.Create("meddeblur", NetworkOptions.Paper, seed: 3);
        var sd = net.state_dict();
        // square_conv of eblock2: 128x128x9x9, xavier std = sqrt(2 / (2 * 128 * 81)) = 0.009821.
        var w = sd["eblock2.sam.multikernelconv1.square_conv.weight"];
        double std = w.std().item<float>(), mean = w.mean().item<float>();
        Assert.InRange(std, 0.009821 * 0.99, 0.009821 * 1.01);
        Assert.InRange(mean, -0.0002, 0.0002);
        // The ConvTranspose2d weight is [in, out, k, k]; xavier is symmetric in fan in / out: sqrt(2 / ((128 + 64) * 25)).
        Assert.InRange(sd["dblock1.deconv.0.weight"].std().item<float>(), 0.02041 * 0.98, 0.02041 * 1.02);
        // Conv bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = 256 * 25 for the ConvLSTM: bound 0.0125, std bound/sqrt(3).
        var bias = sd["convlstm.conv.bias"];
        Assert.True(bias.abs().max().item<float>() <= 0.0125f);
        Assert.InRange(bias.std().item<float>(), 0.0125 / Math.Sqrt(3) * 0.85, 0.0125 / Math.Sqrt(3) * 1.15);
        // SE Linear: kaiming_uniform(a = sqrt 5) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in 128 -> bound 0.0884.
        var fc = sd["eblock2.sam.multikernelconv1.depth.fc.0.weight"];
        Assert.True(fc.abs().max().item<float>() <= 0.08839f);
        Assert.True(fc.abs().max().item<float>() > 0.06f);
    }

    [Fact]
    public void Dncnn_conv_weights_are_orthogonal_and_biases_zero()
    {
        using var net = NetworkRegistry.Create("dncnn", NetworkOptions.Paper, seed: 4);
        var sd = net.state_dict();
        using var w = sd["dncnn.2.weight"].reshape(64, -1);
        using var gram = w.matmul(w.t());
        Assert.True(gram.allclose(eye(64), rtol: 0, atol: 1e-4));
        Assert.Equal(0f, sd["dncnn.0.bias"].abs().max().item<float>());
        Assert.Equal(1f, sd["dncnn.3.weight"].min().item<float>());
    }
}
