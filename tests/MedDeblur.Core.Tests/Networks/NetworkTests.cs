using MedDeblur.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Networks;

public class NetworkTests
{
    public static TheoryData<string> Names => new(NetworkRegistry.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void Network_returns_an_image_of_the_input_size_for_odd_sizes(string name)
    {
        using var net = NetworkRegistry.Create(name, TestImages.Smoke);
        using var x = TestImages.Random(11, 2, 3, 37, 53);
        using var y = net.call(x);
        Assert.Equal(new long[] { 2, 3, 37, 53 }, y.shape);
        Assert.True(y.isfinite().all().item<bool>());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Forward_scales_returns_one_output_per_scale_finest_first(string name)
    {
        using var net = NetworkRegistry.Create(name, TestImages.Smoke);
        using var x = TestImages.Random(12, 1, 3, 37, 53);
        var outputs = net.ForwardScales(x);
        try
        {
            Assert.Equal(net.Scales, outputs.Count);
            for (int k = 0; k < outputs.Count; k++)
                Assert.Equal(new long[] { 1, 3, (37 + (1 << k) - 1) >> k, (53 + (1 << k) - 1) >> k }, outputs[k].shape);
            using var finest = net.call(x);
            Assert.True(finest.allclose(outputs[0], rtol: 1e-5, atol: 1e-6), "call() must return ForwardScales()[0]");
        }
        finally
        {
            foreach (var o in outputs) o.Dispose();
        }
    }

    public static TheoryData<string, int, int> ScalesAndMultiples => new()
    {
        { "meddeblur", 3, 16 }, { "meddeblur-base", 1, 4 }, { "meddeblur-sr", 3, 16 }, { "srn", 3, 16 },
        { "deepdeblur", 3, 4 }, { "dncnn", 1, 1 }, { "temimagenet", 1, 4 },
    };

    [Theory]
    [MemberData(nameof(ScalesAndMultiples))]
    public void Network_declares_its_scales_and_size_multiple(string name, int scales, int multiple)
    {
        using var net = NetworkRegistry.Create(name, TestImages.Smoke);
        Assert.Equal(scales, net.Scales);
        Assert.Equal(multiple, net.SizeMultiple);
        Assert.Equal(name, net.RegistryName);
    }

    [Fact]
    public void Explicit_pyramid_gives_the_same_result_as_the_built_one_when_levels_match()
    {
        using var net = NetworkRegistry.Create("meddeblur", TestImages.Smoke);
        net.eval();
        using var x = TestImages.Random(13, 1, 3, 32, 48);
        var pyramid = ImagePyramid.Downsample(x, 3);
        var fromPyramid = net.ForwardScales(pyramid);
        var fromImage = net.ForwardScales(x);
        for (int k = 0; k < 3; k++)
            Assert.True(fromPyramid[k].allclose(fromImage[k], rtol: 1e-5, atol: 1e-6), $"scale {k}");
    }

    [Fact]
    public void Explicit_pyramid_from_the_native_image_differs_from_the_downsampled_one()
    {
        // The official training resizes every scale from the native image; the coarse inputs then differ from a
        // pyramid built from the 32x48 crop, and so does the output. Guards that the explicit pyramid is really used.
        using var net = NetworkRegistry.Create("meddeblur", TestImages.Smoke);
        net.eval();
        using var native = TestImages.Sharp(14, 1, 96, 144);
        var official = ImagePyramid.FromNative(native, 32, 48, 3);
        Assert.Equal(new long[] { 1, 3, 8, 12 }, official[2].shape);
        using var y1 = net.ForwardScales(official)[0];
        using var y2 = net.call(official[0]);
        Assert.False(y1.allclose(y2, rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void Explicit_pyramid_with_wrong_sizes_is_rejected_with_the_expected_shape()
    {
        using var net = NetworkRegistry.Create("meddeblur", TestImages.Smoke);
        using var a = TestImages.Random(15, 1, 3, 32, 32);
        using var b = TestImages.Random(16, 1, 3, 16, 16);
        using var c = TestImages.Random(17, 1, 3, 9, 8);
        var e = Assert.Throws<MedDeblurException>(() => net.ForwardScales([a, b, c]));
        Assert.Contains("pyramid[2]", e.Message);
        Assert.Contains("[1, 3, 8, 8]", e.Message);
        var e2 = Assert.Throws<MedDeblurException>(() => net.ForwardScales([a, b]));
        Assert.Contains("2 levels", e2.Message);
        using var odd = TestImages.Random(18, 1, 3, 36, 36);
        using var odd2 = TestImages.Random(18, 1, 3, 18, 18);
        using var odd3 = TestImages.Random(18, 1, 3, 9, 9);
        var e3 = Assert.Throws<MedDeblurException>(() => net.ForwardScales([odd, odd2, odd3]));
        Assert.Contains("divisible by 16", e3.Message);
    }

    [Fact]
    public void Grayscale_input_is_rejected_with_a_hint_to_replicate_channels()
    {
        using var net = NetworkRegistry.Create("dncnn", TestImages.Smoke);
        using var gray = TestImages.Random(19, 1, 1, 16, 16);
        var e = Assert.Throws<MedDeblurException>(() => net.call(gray));
        Assert.Contains("[1, 1, 16, 16]", e.Message);
        Assert.Contains("3 channels", e.Message);
    }

    [Fact]
    public void Finest_output_of_meddeblur_is_bounded_and_srn_is_not()
    {
        // MedDeblur puts tanh on the finest output (official), SRN-DeblurNet has no output activation; blow up the last
        // conv bias of both so the raw output leaves [-1, 1].
        foreach (var (name, bounded) in new[] { ("meddeblur", true), ("srn", false) })
        {
            using var net = NetworkRegistry.Create(name, TestImages.Smoke);
            foreach (var (key, p) in net.named_parameters())
                if (key == "outblock.conv.0.bias") { using var _ = no_grad(); p.fill_(5); }
            using var x = TestImages.Random(20, 1, 3, 32, 32);
            using var y = net.call(x);
            float max = y.max().item<float>();
            if (bounded) Assert.InRange(max, 0.99f, 1.0f);
            else Assert.True(max > 2.5f, $"{name}: max {max}");
        }
    }

    [Fact]
    public void Ablation_base_is_single_scale_without_attention_recurrence_or_dense_blocks()
    {
        var o = NetworkRegistry.EffectiveOptions("meddeblur-base", NetworkOptions.Paper);
        Assert.Equal((BlockKind.Residual, false, false, 1), (o.Block, o.Attention, o.Recurrent, o.Scales));
        var sr = NetworkRegistry.EffectiveOptions("meddeblur-sr", NetworkOptions.Paper);
        Assert.Equal((BlockKind.Residual, false, true, 3), (sr.Block, sr.Attention, sr.Recurrent, sr.Scales));
        Assert.Equal(NetworkOptions.Paper, NetworkRegistry.EffectiveOptions("meddeblur", NetworkOptions.Paper));
        Assert.Equal(NetworkOptions.Paper.Widths, o.Widths);
    }

    [Fact]
    public void Pad_to_multiple_reflects_and_falls_back_to_replicate_for_tiny_images()
    {
        using var x = arange(12f).reshape(1, 1, 3, 4);
        using var padded = DeblurNetwork.PadToMultiple(x, 8);
        Assert.Equal(new long[] { 1, 1, 8, 8 }, padded.shape);
        Assert.Equal(x[0, 0, 2, 3].item<float>(), padded[0, 0, 7, 7].item<float>()); // replicate: 5 rows > 3
        using var y = arange(30f).reshape(1, 1, 5, 6);
        using var reflected = DeblurNetwork.PadToMultiple(y, 4);
        Assert.Equal(new long[] { 1, 1, 8, 8 }, reflected.shape);
        Assert.Equal(y[0, 0, 3, 1].item<float>(), reflected[0, 0, 5, 1].item<float>()); // row 5 mirrors row 3
        Assert.Equal(y[0, 0, 0, 4].item<float>(), reflected[0, 0, 0, 6].item<float>()); // column 6 mirrors column 4
        Assert.Same(y, DeblurNetwork.PadToMultiple(y, 1));
    }

    [Fact]
    public void Data_range_maps_to_minus_one_one_and_back_and_the_heads_agree()
    {
        using var x = TestImages.Random(21, 1, 3, 4, 4);
        using var inside = DataRange.MinusOneToOne.ToInternal(x);
        Assert.True(inside.allclose(x * 2 - 1));
        using var back = DataRange.MinusOneToOne.FromInternal(inside);
        Assert.True(back.allclose(x, rtol: 0, atol: 1e-6));
        using var z = TestImages.Random(22, 10) * 6 - 3;
        using var tanhHead = DataRange.MinusOneToOne.FromInternal(DataRange.MinusOneToOne.Squash(z));
        using var sigmoidHead = DataRange.ZeroToOne.Squash(z * 2);
        Assert.True(tanhHead.allclose(sigmoidHead, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Pyramid_levels_are_resized_from_the_finest_image_with_bilinear_interpolation()
    {
        using var x = TestImages.Random(23, 1, 3, 32, 48);
        var levels = ImagePyramid.Downsample(x, 3);
        Assert.Same(x, levels[0]);
        Assert.Equal(new long[] { 1, 3, 8, 12 }, levels[2].shape);
        // x4 bilinear downsampling with align_corners=false samples between pixels 1.5 + 4i: the mean of pixels 1 and 2.
        using var expected = (x[.., .., 1.., ..].slice(2, 0, 32, 4).slice(3, 1, 48, 4) + x[.., .., 2.., ..].slice(2, 0, 32, 4).slice(3, 1, 48, 4)
                             + x[.., .., 1.., ..].slice(2, 0, 32, 4).slice(3, 2, 48, 4) + x[.., .., 2.., ..].slice(2, 0, 32, 4).slice(3, 2, 48, 4)) / 4;
        Assert.True(levels[2].allclose(expected, rtol: 0, atol: 1e-6));
    }
}
