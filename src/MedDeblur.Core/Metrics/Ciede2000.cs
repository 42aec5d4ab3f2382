using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Metrics;

/// <summary>
/// The CIEDE2000 colour difference (Sharma, Wu and Dalal 2005) with kL = kC = kH = 1, following scikit-image's
/// <c>deltaE_ciede2000</c> step by step; checked against the 34 reference pairs of Sharma et al.
/// </summary>
public static class Ciede2000
{
    /// <summary>ΔE00 between L*a*b* tensors [B,3,H,W] (channel dim 1) or [N,3]; returns the per-pixel differences.</summary>
    public static Tensor Compute(Tensor lab1, Tensor lab2)
    {
        using var scope = NewDisposeScope();
        const int dim = 1; // channel dimension of both [N,3] and [B,3,H,W]
        var l1 = lab1.select(dim, 0); var a1 = lab1.select(dim, 1); var b1 = lab1.select(dim, 2);
        var l2 = lab2.select(dim, 0); var a2 = lab2.select(dim, 1); var b2 = lab2.select(dim, 2);

        var cbar = 0.5 * (hypot(a1, b1) + hypot(a2, b2));
        var c7 = cbar.pow(7);
        var g = 0.5 * (1 - sqrt(c7 / (c7 + Math.Pow(25, 7))));
        var scale = 1 + g;
        var (cp1, h1) = Polar(a1 * scale, b1);
        var (cp2, h2) = Polar(a2 * scale, b2);

        var lbar = 0.5 * (l1 + l2);
        var tmp = (lbar - 50).square();
        var sl = 1 + 0.015 * tmp / sqrt(20 + tmp);
        var lTerm = (l2 - l1) / sl;

        var cpbar = 0.5 * (cp1 + cp2);
        var sc = 1 + 0.045 * cpbar;
        var cTerm = (cp2 - cp1) / sc;

        var hDiff = h2 - h1;
        var hSum = h1 + h2;
        var cc = cp1 * cp2;
        var dh = where(hDiff > Math.PI, hDiff - 2 * Math.PI, where(hDiff < -Math.PI, hDiff + 2 * Math.PI, hDiff));
        dh = where(cc == 0, zeros_like(dh), dh);
        var dhTerm = 2 * sqrt(cc) * sin(dh / 2);

        var wrap = (cc != 0) & (hDiff.abs() > Math.PI);
        var hbar = where(wrap & (hSum < 2 * Math.PI), hSum + 2 * Math.PI, where(wrap & (hSum >= 2 * Math.PI), hSum - 2 * Math.PI, hSum));
        hbar = where(cc == 0, hbar * 2, hbar) * 0.5;

        var t = 1 - 0.17 * cos(hbar - Deg(30)) + 0.24 * cos(2 * hbar) + 0.32 * cos(3 * hbar + Deg(6)) - 0.20 * cos(4 * hbar - Deg(63));
        var sh = 1 + 0.015 * cpbar * t;
        var hTerm = dhTerm / sh;

        var cp7 = cpbar.pow(7);
        var rc = 2 * sqrt(cp7 / (cp7 + Math.Pow(25, 7)));
        var dtheta = Deg(30) * exp(-((hbar * (180 / Math.PI) - 275) / 25).square());
        var rTerm = -sin(2 * dtheta) * rc * cTerm * hTerm;

        var de2 = lTerm.square() + cTerm.square() + hTerm.square() + rTerm;
        return sqrt(de2.clamp_min(0)).MoveToOuterDisposeScope();
    }

    private static double Deg(double degrees) => degrees * Math.PI / 180;

    private static (Tensor Radius, Tensor Angle) Polar(Tensor x, Tensor y)
    {
        var angle = atan2(y, x);
        return (hypot(x, y), where(angle < 0, angle + 2 * Math.PI, angle));
    }
}
