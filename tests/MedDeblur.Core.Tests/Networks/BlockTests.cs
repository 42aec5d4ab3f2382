using MedDeblur.Networks;
using MedDeblur.Networks.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Networks;

public class BlockTests
{
    private static readonly NetworkOptions Tiny = TestImages.Smoke;

    public static TheoryData<string, long[], long[]> BlockShapes => new()
    {
        { "dense layer 5 -> 5+3", [2, 5, 37, 53], [2, 8, 37, 53] },
        { "residual dense block 6", [2, 6, 37, 53], [2, 6, 37, 53] },
        { "residual block 6 (5x5)", [2, 6, 37, 53], [2, 6, 37, 53] },
        { "squeeze-excitation 8", [2, 8, 37, 53], [2, 8, 37, 53] },
        { "multi-kernel conv 8", [2, 8, 37, 53], [2, 8, 37, 53] },
        { "spatial-asymmetric attention 8", [2, 8, 37, 53], [2, 8, 37, 53] },
        { "encoder block 6 -> 4, stride 1", [2, 6, 37, 53], [2, 4, 37, 53] },
        { "encoder block 4 -> 8, stride 2", [2, 4, 37, 53], [2, 8, 19, 27] },
        { "decoder block 8 -> 4", [2, 8, 19, 27], [2, 4, 38, 54] },
        { "output block 4 -> 3", [2, 4, 37, 53], [2, 3, 37, 53] },
    };

    private static nn.Module<Tensor, Tensor> Build(string name) => name switch
    {
        "dense layer 5 -> 5+3" => new DenseLayer(5, 3),
        "residual dense block 6" => new ResidualDenseBlock(6, 2, 4),
        "residual block 6 (5x5)" => new ResidualBlock(6, 5),
        "squeeze-excitation 8" => new SqueezeExcitation(8, 4),
        "multi-kernel conv 8" => new MultiKernelConv(8, 4),
        "spatial-asymmetric attention 8" => new SpatialAsymmetricAttention(8, 4),
        "encoder block 6 -> 4, stride 1" => new EncoderBlock(6, 4, 1, Tiny),
        "encoder block 4 -> 8, stride 2" => new EncoderBlock(4, 8, 2, Tiny),
        "decoder block 8 -> 4" => new DecoderBlock(8, 4, Tiny),
        "output block 4 -> 3" => new OutputBlock(4, Tiny),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(BlockShapes))]
    public void Block_maps_an_odd_sized_batch_to_the_expected_shape(string block, long[] input, long[] expected)
    {
        using var module = Build(block);
        using var x = TestImages.Random(1, input);
        using var y = module.call(x);
        Assert.Equal(expected, y.shape);
        Assert.True(y.isfinite().all().item<bool>(), $"{block} produced non-finite values");
    }

    [Fact]
    public void Conv_lstm_cell_keeps_the_state_shape_and_follows_the_gate_equations()
    {
        using var cell = new ConvLstmCell(4, 3, 3);
        using var x = TestImages.Random(2, 2, 4, 9, 11);
        using var h0 = TestImages.Random(3, 2, 3, 9, 11);
        using var c0 = TestImages.Random(4, 2, 3, 9, 11);
        var (h, c) = cell.call(x, (h0, c0));
        Assert.Equal(new long[] { 2, 3, 9, 11 }, h.shape);
        Assert.Equal(new long[] { 2, 3, 9, 11 }, c.shape);

        // Independent evaluation of the gates from the convolution weights (order input, forget, output, cell), in float64:
        // LibTorch computes it without oneDNN, whatever convolution path the kit chose for float32.
        var conv = (TorchSharp.Modules.Convolution)cell.named_children().Single().module;
        using var gates = nn.functional.conv2d(cat([x, h0], 1).to(float64), conv.weight!.to(float64), conv.bias!.to(float64), padding: [1, 1]).to(float32);
        var parts = gates.split(3, 1);
        using var expectedC = parts[1].sigmoid() * c0 + parts[0].sigmoid() * parts[3].tanh();
        using var expectedH = parts[2].sigmoid() * expectedC.tanh();
        Assert.True(c.allclose(expectedC, rtol: 1e-5, atol: 1e-6));
        Assert.True(h.allclose(expectedH, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Spatial_asymmetric_attention_has_no_residual_and_uses_leaky_relu()
    {
        using var sam = new SpatialAsymmetricAttention(8, 4);
        var body = (MultiKernelConv)sam.named_children().Single().module;
        using var x = TestImages.Random(5, 1, 8, 13, 17) - 0.5;
        using var inner = body.call(x);
        using var outer = sam.call(x);
        using var expected = nn.functional.leaky_relu(inner, 0.2);
        Assert.True(outer.allclose(expected, rtol: 0, atol: 1e-7));
        Assert.True((inner < 0).any().item<bool>(), "the test needs negative values to tell LeakyReLU from identity");
    }

    [Fact]
    public void Spatial_asymmetric_attention_follows_the_official_formula()
    {
        // Notes 2.4, recomputed with functional ops on the module's own parameters (C = 32, SE reduction 16):
        // LeakyReLU_0.2( SE(conv9x9(x)) * (sigmoid(convCat[mean_c(ver(x)), max_c(ver(x))]) + sigmoid(convCat[mean_c(hor(x)), max_c(hor(x))])) )
        // with ver = 3x1 and hor = 1x3 convolutions of the block input x and ONE convCat shared by both branches.
        using var sam = new SpatialAsymmetricAttention(32, 16);
        var p = sam.named_parameters().ToDictionary(e => e.name, e => e.parameter);
        Tensor W(string name) => p["multikernelconv1." + name];
        Assert.Equal(new long[] { 2, 32 }, W("depth.fc.0.weight").shape); // hidden width 32 / 16
        using var x = TestImages.Random(8, 1, 32, 13, 17) - 0.5;
        using var actual = sam.call(x);

        using var scope = NewDisposeScope();
        Tensor Conv(string name, long ph, long pw) =>
            nn.functional.conv2d(x, W(name + ".weight"), W(name + ".bias"), padding: [ph, pw]);
        Tensor Map(Tensor f, bool meanFirst = true)
        {
            Tensor mean = f.mean([1], keepdim: true), max = f.amax([1], keepdim: true);
            return nn.functional.conv2d(cat(meanFirst ? [mean, max] : [max, mean], 1), W("convCat.weight"), W("convCat.bias"),
                padding: [4, 4]).sigmoid();
        }
        var square = Conv("square_conv", 4, 4);
        var gate = nn.functional.linear(nn.functional.linear(square.mean([2, 3]), W("depth.fc.0.weight")).relu(),
            W("depth.fc.2.weight")).sigmoid();
        var se = square * gate.view(1, 32, 1, 1);
        var spatial = Map(Conv("ver_conv", 1, 0)) + Map(Conv("hor_conv", 0, 1));
        var expected = nn.functional.leaky_relu(se * spatial, 0.2);
        double diff = (actual - expected).abs().max().item<float>();
        Assert.True(diff < 1e-5, $"max difference {diff}");
        Assert.True((expected < 0).any().item<bool>(), "the test needs negative values to see the LeakyReLU slope");
        // The [mean, max] order is visible to this comparison (the two convCat input channels have different weights).
        var swapped = nn.functional.leaky_relu(se * (Map(Conv("ver_conv", 1, 0), false) + Map(Conv("hor_conv", 0, 1), false)), 0.2);
        Assert.False(actual.allclose(swapped, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Squeeze_excitation_scales_each_channel_by_a_gate_in_zero_one()
    {
        using var se = new SqueezeExcitation(8, 4);
        using var x = TestImages.Random(6, 2, 8, 5, 7) + 0.1;
        using var y = se.call(x);
        using var ratio = y / x;
        // One factor per image and channel, constant over the spatial positions, strictly inside (0, 1).
        using var spread = ratio.amax([2, 3]) - ratio.amin([2, 3]);
        Assert.True(spread.max().item<float>() < 1e-5f);
        Assert.True(ratio.min().item<float>() > 0f && ratio.max().item<float>() < 1f);
    }

    [Fact]
    public void Residual_dense_block_is_identity_when_its_fusion_is_zero()
    {
        using var rdb = new ResidualDenseBlock(6, 3, 4);
        foreach (var (name, p) in rdb.named_parameters())
            if (name.StartsWith("conv_1x1", StringComparison.Ordinal)) { using var _ = no_grad(); p.zero_(); }
        using var x = TestImages.Random(7, 1, 6, 9, 9);
        using var y = rdb.call(x);
        Assert.True(y.allclose(x, rtol: 0, atol: 0));
    }

    public static TheoryData<string, long> BlockParameterCounts => new()
    {
        // Notes section 2.7: RDB(C) = C^2 + 240C + 1728, SAM(C) = 87C^2 + 3C + 163 + C^2/8, ConvLSTM 256*512*25 + 512.
        { "RDB(32)", 10_432 }, { "RDB(64)", 21_184 }, { "RDB(128)", 48_832 },
        { "SAM(32)", 89_475 }, { "SAM(64)", 357_219 }, { "SAM(128)", 1_428_003 },
        { "ConvLSTM(128, 128, 5)", 3_277_312 },
        { "ResBlock5x5(32)", 51_264 }, { "ResBlock5x5(64)", 204_928 }, { "ResBlock5x5(128)", 819_456 },
    };

    [Theory]
    [MemberData(nameof(BlockParameterCounts))]
    public void Block_parameter_count_matches_the_official_arithmetic(string block, long expected)
    {
        int c = int.Parse(block[(block.IndexOf('(') + 1)..block.IndexOfAny([',', ')'])], System.Globalization.CultureInfo.InvariantCulture);
        using nn.Module module = block switch
        {
            _ when block.StartsWith("RDB", StringComparison.Ordinal) => new ResidualDenseBlock(c, 3, 8),
            _ when block.StartsWith("SAM", StringComparison.Ordinal) => new SpatialAsymmetricAttention(c, 16),
            _ when block.StartsWith("ConvLSTM", StringComparison.Ordinal) => new ConvLstmCell(c, c, 5),
            _ => new ResidualBlock(c, 5),
        };
        Assert.Equal(expected, module.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Deep_deblur_blocks_reject_bad_channel_counts_and_even_kernels_naming_the_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MedDeblur.Networks.Baselines.DeepDeblurNetwork.ResBlock(8, 4));
        Assert.Equal("kernelSize", e.ParamName);
        Assert.Equal(4, e.ActualValue);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => new MedDeblur.Networks.Baselines.DeepDeblurNetwork.ScaleBody(6, 0, 2, 5));
        Assert.Equal("features", e2.ParamName);
        Assert.Contains("0", e2.Message);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => new MedDeblur.Networks.Baselines.DeepDeblurNetwork.UpConvolution(6));
        Assert.Contains("6", e3.Message);
    }

    [Fact]
    public void Squeeze_excitation_without_hidden_units_is_rejected_naming_the_reduction()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SqueezeExcitation(8, 16));
        Assert.Contains("16", e.Message);
    }
}
