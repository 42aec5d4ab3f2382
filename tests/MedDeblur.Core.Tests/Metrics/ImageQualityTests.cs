using MedDeblur.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Metrics;

public class ImageQualityTests
{
    [Fact]
    public void Identical_images_give_infinite_psnr_unit_ssim_and_zero_delta_e()
    {
        using var scope = NewDisposeScope();
        var x = rand(2, 3, 20, 24, generator: new Generator(4));
        foreach (var s in ImageQuality.Measure(x, x))
        {
            Assert.Equal(double.PositiveInfinity, s.Psnr);
            Assert.Equal(1.0, s.Ssim, 12);
            Assert.Equal(0.0, s.DeltaE, 12);
        }
    }

    [Fact]
    public void Batches_give_one_value_per_image_equal_to_single_image_values()
    {
        using var scope = NewDisposeScope();
        var r = rand(3, 3, 16, 18, generator: new Generator(1));
        var t = (r + 0.05f * randn(3, 3, 16, 18, generator: new Generator(2))).clamp(0, 1);
        var batch = ImageQuality.Measure(r, t);
        Assert.Equal(3, batch.Length);
        for (int i = 0; i < 3; i++) Assert.Equal(ImageQuality.Measure(r[i], t[i])[0], batch[i]);
        Assert.NotEqual(batch[0].Psnr, batch[1].Psnr);
    }

    [Fact]
    public void Psnr_of_a_known_error_is_exact_in_both_quantisation_modes()
    {
        using var scope = NewDisposeScope();
        var r = full(1, 8, 8, 100 / 255f);
        var t = full(1, 8, 8, 110 / 255f);
        Assert.Equal(10 * Math.Log10(255.0 * 255 / 100), ImageQuality.Psnr(r, t)[0], 10);
        var floats = new MetricConventions { Quantize8Bit = false };
        Assert.Equal(10 * Math.Log10(1.0 / Math.Pow(10 / 255.0, 2)), ImageQuality.Psnr(r, t, floats)[0], 4);
    }

    [Fact]
    public void Gray_images_are_compared_as_gray_rgb_for_delta_e()
    {
        using var scope = NewDisposeScope();
        var r = rand(1, 12, 12, generator: new Generator(3));
        var t = (r * 0.9f).clamp(0, 1);
        Assert.Equal(ImageQuality.DeltaE(r.expand(3, 12, 12), t.expand(3, 12, 12))[0], ImageQuality.DeltaE(r, t)[0], 12);
    }

    [Fact]
    public void Mismatched_shapes_and_nan_are_rejected_with_the_shapes()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => ImageQuality.Measure(zeros(3, 8, 8), zeros(3, 8, 9)));
        Assert.Contains("[3,8,8]", e.Message);
        Assert.Contains("[3,8,9]", e.Message);
        var nan = zeros(1, 8, 8);
        nan[0, 0, 0] = float.NaN;
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => ImageQuality.Measure(nan, zeros(1, 8, 8))).Message);
    }

    [Fact]
    public void Convention_description_names_every_choice()
    {
        Assert.Equal("PSNR: all channels, 8-bit quantised, peak 255 | SSIM: skimage 7x7 uniform window, sample covariance, channel mean | DeltaE: CIEDE2000 on sRGB→CIELAB (D65), pixel mean",
            MetricConventions.Paper.Describe());
        Assert.Contains("BT.601 Y", MetricConventions.Literature.Describe());
    }
}
