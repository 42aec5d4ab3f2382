using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedDeblur.Metrics;

/// <summary>PSNR (dB, higher is better), SSIM (higher is better) and DeltaE (lower is better) of one image.</summary>
/// <param name="Psnr">Peak signal-to-noise ratio in dB; +∞ for identical images.</param>
/// <param name="Ssim">Structural similarity.</param>
/// <param name="DeltaE">Mean colour difference.</param>
public sealed record QualityScores(double Psnr, double Ssim, double DeltaE);

/// <summary>
/// PSNR, SSIM and DeltaE of image batches, computed in float64 with TorchSharp ops, one value per image (never averaged
/// silently). Inputs are [B,C,H,W] or [C,H,W] in [0,1], C = 1 or 3; conventions in <see cref="MetricConventions"/> and
/// docs/metrics.md.
/// </summary>
public static class ImageQuality
{
    /// <summary>All three metrics per image.</summary>
    public static QualityScores[] Measure(Tensor reference, Tensor test, MetricConventions? conventions = null)
    {
        conventions ??= MetricConventions.Paper;
        using var scope = NewDisposeScope();
        var (r, t) = Prepare(reference, test, conventions);
        var psnr = PsnrOf(r, t, conventions);
        var ssim = SsimOf(r, t, conventions);
        var deltaE = DeltaEOf(r, t, conventions);
        return Enumerable.Range(0, psnr.Length).Select(i => new QualityScores(psnr[i], ssim[i], deltaE[i])).ToArray();
    }

    /// <summary>PSNR per image in dB (+∞ when identical).</summary>
    public static double[] Psnr(Tensor reference, Tensor test, MetricConventions? conventions = null) => One(reference, test, conventions, PsnrOf);

    /// <summary>SSIM per image (mean over channels).</summary>
    public static double[] Ssim(Tensor reference, Tensor test, MetricConventions? conventions = null) => One(reference, test, conventions, SsimOf);

    /// <summary>Mean DeltaE per image (grayscale is compared as gray RGB).</summary>
    public static double[] DeltaE(Tensor reference, Tensor test, MetricConventions? conventions = null) => One(reference, test, conventions, DeltaEOf);

    private static double[] One(Tensor reference, Tensor test, MetricConventions? conventions, Func<Tensor, Tensor, MetricConventions, double[]> metric)
    {
        conventions ??= MetricConventions.Paper;
        using var scope = NewDisposeScope();
        var (r, t) = Prepare(reference, test, conventions);
        return metric(r, t, conventions);
    }

    /// <summary>Validates, batches, converts to float64, quantises (values 0..255) or keeps floats (0..1), crops borders.</summary>
    private static (Tensor Reference, Tensor Test) Prepare(Tensor reference, Tensor test, MetricConventions c)
    {
        if (!reference.shape.SequenceEqual(test.shape))
            throw new ArgumentException($"metric inputs differ in shape: reference [{string.Join(",", reference.shape)}], test [{string.Join(",", test.shape)}]");
        if (reference.dim() is not (3 or 4) || reference.shape[^3] is not (1 or 3))
            throw new ArgumentException($"metric inputs must be [C,H,W] or [B,C,H,W] with C = 1 or 3, got [{string.Join(",", reference.shape)}]");
        var r = (reference.dim() == 3 ? reference.unsqueeze(0) : reference).detach().to_type(ScalarType.Float64);
        var t = (test.dim() == 3 ? test.unsqueeze(0) : test).detach().to_type(ScalarType.Float64);
        if (r.isnan().any().item<bool>() || t.isnan().any().item<bool>())
            throw new ArgumentException("metric inputs contain NaN values");
        if (c.CropBorder > 0)
        {
            int b = c.CropBorder;
            if (r.shape[2] <= 2 * b || r.shape[3] <= 2 * b)
                throw new ArgumentException($"cannot crop {b} px from an image of {r.shape[2]}x{r.shape[3]}");
            r = r[.., .., b..^b, b..^b];
            t = t[.., .., b..^b, b..^b];
        }
        if (c.Quantize8Bit)
        {
            r = r.clamp(0, 1).mul(255).add(0.5).floor();
            t = t.clamp(0, 1).mul(255).add(0.5).floor();
        }
        return (r, t);
    }

    private static double Peak(MetricConventions c) => c.Quantize8Bit ? 255.0 : 1.0;

    private static double[] PsnrOf(Tensor r, Tensor t, MetricConventions c)
    {
        double peak = Peak(c);
        if (c.Psnr == PsnrChannels.Y)
        {
            r = Luma(r, peak);
            t = Luma(t, peak);
            peak = 255.0;
        }
        var mse = (r - t).square().mean([1, 2, 3]).data<double>().ToArray();
        return mse.Select(m => m == 0 ? double.PositiveInfinity : 10 * Math.Log10(peak * peak / m)).ToArray();
    }

    /// <summary>BT.601 luma on the 0..255 scale (BasicSR's rgb2ycbcr y_only); gray images are used as they are.</summary>
    private static Tensor Luma(Tensor x, double peak)
    {
        var unit = x / peak;
        if (x.shape[1] == 1) return unit * 255.0;
        return (16.0 + 65.481 * unit[.., 0..1] + 128.553 * unit[.., 1..2] + 24.966 * unit[.., 2..3]);
    }

    private static double[] SsimOf(Tensor r, Tensor t, MetricConventions c)
    {
        double range = Peak(c);
        double c1 = Math.Pow(0.01 * range, 2), c2 = Math.Pow(0.03 * range, 2);
        long b = r.shape[0], ch = r.shape[1];
        int k = c.Ssim == SsimWindow.Uniform7 ? 7 : 11;
        double covNorm = c.Ssim == SsimWindow.Uniform7 ? 49.0 / 48.0 : 1.0;
        if (r.shape[2] < k || r.shape[3] < k)
            throw new ArgumentException($"SSIM needs images of at least {k}x{k}, got {r.shape[2]}x{r.shape[3]}");
        // 'valid' filtering == skimage's filtering followed by cropping (k-1)/2 pixels: every window lies inside the image.
        // The uniform window is an average pool; the Gaussian one is separable (two 11-tap passes instead of 121 taps).
        var gauss = exp(-arange(-5, 6, dtype: ScalarType.Float64, device: r.device).square() / (2 * 1.5 * 1.5));
        gauss /= gauss.sum();
        Tensor Filter(Tensor x)
        {
            var planes = x.reshape(b * ch, 1, x.shape[2], x.shape[3]);
            return c.Ssim == SsimWindow.Uniform7
                ? F.avg_pool2d(planes, [7, 7], [1, 1])
                : F.conv2d(F.conv2d(planes, gauss.view(1, 1, 11, 1)), gauss.view(1, 1, 1, 11));
        }
        var ux = Filter(r);
        var uy = Filter(t);
        var vx = covNorm * (Filter(r * r) - ux * ux);
        var vy = covNorm * (Filter(t * t) - uy * uy);
        var vxy = covNorm * (Filter(r * t) - ux * uy);
        var map = (2 * ux * uy + c1) * (2 * vxy + c2) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
        return map.reshape(b, ch, -1).mean([2]).mean([1]).data<double>().ToArray();
    }

    private static double[] DeltaEOf(Tensor r, Tensor t, MetricConventions c)
    {
        double peak = Peak(c);
        var rgbR = (r.shape[1] == 1 ? r.expand(-1, 3, -1, -1) : r) / peak;
        var rgbT = (t.shape[1] == 1 ? t.expand(-1, 3, -1, -1) : t) / peak;
        var labR = ColorSpace.RgbToLab(rgbR);
        var labT = ColorSpace.RgbToLab(rgbT);
        var de = c.DeltaE == DeltaEFormula.Cie76 ? (labR - labT).square().sum(1).sqrt() : Ciede2000.Compute(labR, labT);
        return de.mean([1, 2]).data<double>().ToArray();
    }
}
