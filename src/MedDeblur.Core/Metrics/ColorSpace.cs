using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Metrics;

/// <summary>sRGB → CIELAB exactly as scikit-image's <c>rgb2lab</c> (sRGB gamma, XYZ with D65, 2° observer).</summary>
public static class ColorSpace
{
    private static readonly double[,] XyzFromRgb =
    {
        { 0.412453, 0.357580, 0.180423 },
        { 0.212671, 0.715160, 0.072169 },
        { 0.019334, 0.119193, 0.950227 },
    };

    private static readonly double[] WhiteD65 = [0.95047, 1.0, 1.08883];

    /// <summary>Converts RGB [B,3,H,W] (or [3,H,W]) in [0,1] to L*a*b* in float64, same shape.</summary>
    public static Tensor RgbToLab(Tensor rgb)
    {
        using var scope = NewDisposeScope();
        var x = rgb.to_type(ScalarType.Float64);
        int channelDim = x.dim() == 4 ? 1 : 0;
        var linear = where(x > 0.04045, ((x + 0.055) / 1.055).pow(2.4), x / 12.92);
        var r = linear.select(channelDim, 0);
        var g = linear.select(channelDim, 1);
        var b = linear.select(channelDim, 2);
        Tensor F(int row)
        {
            var v = (XyzFromRgb[row, 0] * r + XyzFromRgb[row, 1] * g + XyzFromRgb[row, 2] * b) / WhiteD65[row];
            return where(v > 0.008856, v.pow(1.0 / 3.0), 7.787 * v + 16.0 / 116.0);
        }
        var fx = F(0);
        var fy = F(1);
        var fz = F(2);
        var lab = stack([116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)], channelDim);
        return lab.MoveToOuterDisposeScope();
    }
}
