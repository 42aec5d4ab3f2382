using MedDeblur.Classical;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedDeblur.Tests.Classical;

public class OracleDeconvolutionTests
{
    /// <summary>A structured test image: smooth shading plus sharp-edged rectangles and a disc.</summary>
    private static Tensor Scene(int h, int w)
    {
        var yy = linspace(0, 1, h).view(h, 1).expand(h, w);
        var xx = linspace(0, 1, w).view(1, w).expand(h, w);
        var img = 0.2f + 0.3f * xx * yy;
        img = img + 0.4f * ((xx > 0.2f) & (xx < 0.45f) & (yy > 0.3f) & (yy < 0.8f)).to_type(ScalarType.Float32);
        img = img + 0.3f * ((xx - 0.7f).square() + (yy - 0.4f).square() < 0.02f).to_type(ScalarType.Float32);
        return stack([img, img * 0.9f, img * 0.8f]).clamp(0, 1);
    }

    private static Tensor DiagonalKernel(int d)
    {
        var k = eye(d);
        return k / k.sum();
    }

    private static Tensor Blur(Tensor image, Tensor kernel)
    {
        int d = (int)kernel.shape[0], a = d / 2;
        var x = image.unsqueeze(1);
        var padded = F.pad(x, [a, d - 1 - a, a, d - 1 - a], PaddingModes.Reflect);
        return F.conv2d(padded, kernel.view(1, 1, d, d)).squeeze(1);
    }

    private static double Psnr(Tensor a, Tensor b) => 10 * Math.Log10(1.0 / (a - b).square().mean().item<float>());

    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    public void Wiener_with_the_true_kernel_recovers_much_of_the_loss(int d)
    {
        using var scope = NewDisposeScope();
        var sharp = Scene(96, 112);
        var kernel = DiagonalKernel(d);
        var blurred = Blur(sharp, kernel);
        double before = Psnr(blurred, sharp);
        double after = Psnr(OracleDeconvolution.Wiener(blurred, kernel), sharp);
        Assert.InRange(before, 15, 30);
        Assert.True(after > before + 4, $"Wiener: {before:F2} dB -> {after:F2} dB");
    }

    [Fact]
    public void Wiener_inverts_a_symmetric_blur_exactly_up_to_the_borders()
    {
        // a centrally symmetric kernel commutes with the mirror, so the reflect-101 blur of the image equals the circular
        // blur of its mirrored periodic extension (period 2n-2) and Wiener with a tiny regulariser must give the image back,
        // borders included; a wrong period (e.g. 2n-1, edge pixel repeated) shows up at the top and left borders
        using var scope = NewDisposeScope();
        var sharp = rand(new long[] { 1, 3, 19, 23 }, generator: new Generator(5)) * 0.8f + 0.1f;
        var kernel = tensor(new float[] { 0, 0.1f, 0, 0.1f, 0.6f, 0.1f, 0, 0.1f, 0 }).view(3, 3);
        var blurred = Blur(sharp[0], kernel).unsqueeze(0);
        var restored = OracleDeconvolution.Wiener(blurred, kernel, 1e-12);
        double worst = (restored - sharp).abs().max().item<float>();
        Assert.True(worst < 1e-4, $"largest error {worst:E2}");
    }

    [Fact]
    public void Wiener_with_a_delta_kernel_returns_the_input()
    {
        using var scope = NewDisposeScope();
        var image = rand(new long[] { 3, 16, 21 }, generator: new Generator(3));
        var delta = zeros(5, 5);
        delta[2, 2] = tensor(1f);
        Assert.True(OracleDeconvolution.Wiener(image, delta, 1e-12).allclose(image, atol: 1e-5));
    }

    [Fact]
    public void Richardson_Lucy_improves_with_the_true_kernel_and_keeps_the_shape()
    {
        using var scope = NewDisposeScope();
        var sharp = Scene(80, 72);
        var kernel = DiagonalKernel(7);
        var blurred = Blur(sharp, kernel).unsqueeze(0);
        var restored = OracleDeconvolution.RichardsonLucy(blurred, kernel, 30);
        Assert.Equal(blurred.shape, restored.shape);
        double before = Psnr(blurred.squeeze(0), sharp), after = Psnr(restored.squeeze(0), sharp);
        Assert.True(after > before + 3, $"Richardson-Lucy: {before:F2} dB -> {after:F2} dB");
    }

    [Fact]
    public void Kernel_larger_than_the_image_is_rejected_with_both_sizes()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => OracleDeconvolution.Wiener(zeros(3, 20, 30), DiagonalKernel(25)));
        Assert.Contains("25", e.Message);
        Assert.Contains("20x30", e.Message);
    }
}
