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
    public void Explicit_pyramid_of_box_averages_gives_the_same_result_as_the_built_one()
    {
        // Bilinear downsampling (align_corners=false) by exactly 2 is the 2x2 box average, and by 4 the average of the
        // central 2x2 of each 4x4 block. A pyramid built that way, not by ImagePyramid, must give the same outputs as
        // the image itself: fails if the built pyramid stops being bilinear or the explicit levels are not used.
        using var net = NetworkRegistry.Create("meddeblur", TestImages.Smoke);
        net.eval();
        using var x = TestImages.Random(13, 1, 3, 32, 48);
        using var half = nn.functional.avg_pool2d(x, 2);
        using var quarter = nn.functional.avg_pool2d(x[.., .., 1.., 1..], 2, 4);
        Assert.Equal(new long[] { 1, 3, 8, 12 }, quarter.shape);
        var fromPyramid = net.ForwardScales([x, half, quarter]);
        var fromImage = net.ForwardScales(x);
        for (int k = 0; k < 3; k++)
            Assert.True(fromPyramid[k].allclose(fromImage[k], rtol: 1e-5, atol: 1e-6), $"scale {k}");
        // A different (nearest-neighbour) coarse level must change the result, or the comparison above proves nothing.
        using var nearest = x[.., .., 0.., 0..].slice(2, 0, 32, 4).slice(3, 0, 48, 4);
        using var other = net.ForwardScales([x, half, nearest])[0];
        Assert.False(other.allclose(fromImage[0], rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Scale_loop_matches_a_hand_written_reference_of_the_official_forward()
    {
        // Notes 2.1, written out with the network's own child modules: coarsest input cat[b3, 0], finer inputs
        // cat[b_s, up2(raw coarser output)], (h, c) upsampled x2 bilinearly (align_corners=false) between scales,
        // tanh on the finest output only; data in [-1, 1].
        using var net = NetworkRegistry.Create("meddeblur", TestImages.Smoke, seed: 9);
        net.eval();
        var children = net.named_children().ToDictionary(c => c.name, c => c.module);
        nn.Module<Tensor, Tensor> Child(string name) => (nn.Module<Tensor, Tensor>)children[name];
        var (inblock, eblock1, eblock2) = (Child("inblock"), Child("eblock1"), Child("eblock2"));
        var (dblock1, dblock2, outblock) = (Child("dblock1"), Child("dblock2"), Child("outblock"));
        var convlstm = (MedDeblur.Networks.Blocks.ConvLstmCell)children["convlstm"];
        using var x = TestImages.Random(31, 1, 3, 32, 48);
        var actual = net.ForwardScales(x);

        using var scope = NewDisposeScope();
        static Tensor Up2(Tensor t) => nn.functional.interpolate(t, size: [t.shape[2] * 2, t.shape[3] * 2],
            mode: InterpolationMode.Bilinear, align_corners: false);
        (Tensor Out, Tensor H, Tensor C) Step(Tensor input, Tensor h, Tensor c)
        {
            var e32 = inblock.call(input);
            var e64 = eblock1.call(e32);
            var e128 = eblock2.call(e64);
            (h, c) = convlstm.call(e128, (h, c));
            var d64 = dblock1.call(h);
            var d32 = dblock2.call(d64 + e64);
            return (outblock.call(d32 + e32), h, c);
        }
        // Runs the three scales; carryState = false resets (h, c) at every scale (a loop that forgets the recurrence).
        Tensor[] Reference(bool carryState)
        {
            var b1 = x * 2 - 1;
            var b2 = nn.functional.avg_pool2d(b1, 2); // = bilinear x1/2, see the box-average pyramid test
            var b3 = nn.functional.avg_pool2d(b1[.., .., 1.., 1..], 2, 4);
            Tensor Zero() => zeros(1, 8, 2, 3); // smoke bottleneck width 8 at 8x12 / 4
            var (i3, h, c) = Step(cat([b3, zeros_like(b3)], 1), Zero(), Zero());
            (h, c) = carryState ? (Up2(h), Up2(c)) : (zeros(1, 8, 4, 6), zeros(1, 8, 4, 6));
            Tensor i2;
            (i2, h, c) = Step(cat([b2, Up2(i3)], 1), h, c);
            (h, c) = carryState ? (Up2(h), Up2(c)) : (zeros(1, 8, 8, 12), zeros(1, 8, 8, 12));
            var (i1, _, _) = Step(cat([b1, Up2(i2)], 1), h, c);
            return [(i1.tanh() + 1) / 2, (i2 + 1) / 2, (i3 + 1) / 2];
        }
        var expected = Reference(carryState: true);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(expected[k].shape, actual[k].shape);
            double diff = (actual[k] - expected[k]).abs().max().item<float>();
            Assert.True(diff < 1e-5, $"scale {k}: max difference {diff}");
        }
        // The reference is sensitive to what it checks: forgetting (h, c) between scales changes the finest output.
        double forgetful = (Reference(carryState: false)[0] - actual[0]).abs().max().item<float>();
        Assert.True(forgetful > 1e-4, $"dropping the recurrent state changed the output by only {forgetful}");
        foreach (var o in actual) o.Dispose();
    }

    public static TheoryData<string> PaddedNames =>
        new(NetworkRegistry.Names.Where(n => n != "dncnn")); // DnCNN takes any size (multiple 1): nothing to pad

    [Theory]
    [MemberData(nameof(PaddedNames))]
    public void Odd_sized_input_gives_the_top_left_crop_of_the_reflect_padded_result(string name)
    {
        // 37x53 is padded at the bottom and right (reflect) to the size multiple and the output cropped to the top-left.
        using var net = NetworkRegistry.Create(name, TestImages.Smoke);
        net.eval();
        int m = net.SizeMultiple;
        long ph = (m - 37 % m) % m, pw = (m - 53 % m) % m;
        using var x = TestImages.Random(24, 1, 3, 37, 53);
        using var padded = nn.functional.pad(x, [0, pw, 0, ph], PaddingModes.Reflect);
        Assert.Equal(0, padded.shape[2] % m);
        Assert.Equal(0, padded.shape[3] % m);
        using var y = net.call(x);
        using var full = net.call(padded);
        using var expected = full[.., .., ..37, ..53];
        Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-6), $"{name}: max difference {(y - expected).abs().max().item<float>()}");
        // Zero padding gives a different result: the comparison can tell the padding mode.
        using var zeroPadded = nn.functional.pad(x, [0, pw, 0, ph]);
        using var zeroResult = net.call(zeroPadded);
        Assert.False(y.allclose(zeroResult[.., .., ..37, ..53], rtol: 1e-5, atol: 1e-6), $"{name}: padding mode not visible");
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

    [Theory]
    [InlineData("meddeblur", "outblock.conv.0.weight")]
    [InlineData("meddeblur-base", "outblock.conv.0.weight")]
    [InlineData("srn", "outblock.conv.0.weight")]
    [InlineData("temimagenet", "bn9.weight")]
    public void A_global_residual_network_starts_as_the_identity_and_still_learns(string name, string lastLayer)
    {
        using var net = NetworkRegistry.Create(name, TestImages.Smoke with { GlobalResidual = true }, seed: 3);
        using var x = TestImages.Random(5, 2, 3, 32, 48);
        var scales = net.ForwardScales(x);
        Assert.True(scales[0].allclose(x, rtol: 0, atol: 1e-6), "the finest output of a fresh network is its input");
        using var target = x.flip(3);
        using var loss = nn.functional.l1_loss(scales[0], target);
        loss.backward();
        var outGradient = net.named_parameters().Single(p => p.name == lastLayer).parameter.grad;
        Assert.NotNull(outGradient);
        Assert.True(outGradient.abs().sum().item<float>() > 0, "the zero-initialised last layer receives a gradient");
    }
}
