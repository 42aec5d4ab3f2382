using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Blur;

/// <summary>How a motion kernel is normalised.</summary>
public enum KernelNormalization
{
    /// <summary>Divide by the kernel's sum: brightness is preserved (physically correct; the kit's default).</summary>
    Sum,

    /// <summary>
    /// Divide by the length d, as the official code does. After rotation the line is clipped by the d x d box and spread
    /// by interpolation, so the sum is 0.68–1.0 (mean 0.79): blurred images come out about 20% darker. Use it only to
    /// reproduce the paper's training data exactly.
    /// </summary>
    Official,
}

/// <summary>Length and angle of one linear motion-blur kernel.</summary>
/// <param name="Length">Kernel size d in pixels (the length of the unrotated line).</param>
/// <param name="AngleDegrees">Rotation in degrees, counter-clockwise (OpenCV convention): 0 = the "\" diagonal,
/// +45 = horizontal, -45 = vertical, 90 = the "/" diagonal.</param>
public sealed record BlurKernelParameters(int Length, double AngleDegrees)
{
    /// <inheritdoc />
    public override string ToString() => $"d={Length}, angle={AngleDegrees:0.##}°";
}

/// <summary>
/// The motion kernel of the paper's Algorithm 1 as the official code builds it: the main diagonal of a d x d matrix
/// rotated by the angle about (d/2, d/2) with OpenCV's <c>getRotationMatrix2D</c> + <c>warpAffine</c> (bilinear,
/// constant-zero border), reproduced exactly including OpenCV's fixed-point coordinate arithmetic (10-bit coordinates,
/// 5-bit interpolation fractions), then normalised.
/// </summary>
public static class MotionKernel
{
    /// <summary>Largest kernel size accepted.</summary>
    public const int MaxLength = 255;

    /// <summary>The kernel as a double array [d, d] (row = y, column = x).</summary>
    public static double[,] Compute(BlurKernelParameters parameters, KernelNormalization normalization)
    {
        int d = parameters.Length;
        if (d < 1 || d > MaxLength)
            throw new ArgumentOutOfRangeException(nameof(parameters), d, $"kernel length must be in [1, {MaxLength}]");
        if (!double.IsFinite(parameters.AngleDegrees))
            throw new ArgumentOutOfRangeException(nameof(parameters), parameters.AngleDegrees, "angle must be finite");

        // getRotationMatrix2D(center = (d/2, d/2), angle, scale = 1)
        double c = d / 2.0;
        double rad = parameters.AngleDegrees * Math.PI / 180.0;
        double alpha = Math.Cos(rad), beta = Math.Sin(rad);
        double m00 = alpha, m01 = beta, m02 = (1 - alpha) * c - beta * c;
        double m10 = -beta, m11 = alpha, m12 = beta * c + (1 - alpha) * c;

        // warpAffine inverts M (invertAffineTransform)
        double det = m00 * m11 - m01 * m10;
        det = det != 0 ? 1.0 / det : 0.0;
        double i00 = m11 * det, i11 = m00 * det, i01 = -m01 * det, i10 = -m10 * det;
        double i02 = -i00 * m02 - i01 * m12, i12 = -i10 * m02 - i11 * m12;

        const int abBits = 10, abScale = 1 << abBits, interBits = 5, interTab = 1 << interBits;
        const int roundDelta = abScale / interTab / 2;
        var kernel = new double[d, d];
        double sum = 0;
        for (int y = 0; y < d; y++)
        {
            int x0 = Round((i01 * y + i02) * abScale) + roundDelta;
            int y0 = Round((i11 * y + i12) * abScale) + roundDelta;
            for (int x = 0; x < d; x++)
            {
                int xs = (x0 + Round(i00 * x * abScale)) >> (abBits - interBits);
                int ys = (y0 + Round(i10 * x * abScale)) >> (abBits - interBits);
                int sx = xs >> interBits, sy = ys >> interBits;
                double fx = (xs & (interTab - 1)) / (double)interTab, fy = (ys & (interTab - 1)) / (double)interTab;
                double v = (1 - fy) * ((1 - fx) * Source(sx, sy, d) + fx * Source(sx + 1, sy, d))
                         + fy * ((1 - fx) * Source(sx, sy + 1, d) + fx * Source(sx + 1, sy + 1, d));
                kernel[y, x] = v;
                sum += v;
            }
        }

        double divisor = normalization == KernelNormalization.Official ? d : sum;
        if (divisor <= 0)
            throw new ArgumentException($"motion kernel {parameters} is empty after rotation and cannot be normalised");
        for (int y = 0; y < d; y++)
            for (int x = 0; x < d; x++)
                kernel[y, x] /= divisor;
        return kernel;
    }

    /// <summary>The kernel as a float32 tensor [d, d].</summary>
    public static Tensor Create(BlurKernelParameters parameters, KernelNormalization normalization)
    {
        var k = Compute(parameters, normalization);
        int d = k.GetLength(0);
        var flat = new float[d * d];
        for (int y = 0; y < d; y++)
            for (int x = 0; x < d; x++)
                flat[y * d + x] = (float)k[y, x];
        return tensor(flat, [d, d]);
    }

    /// <summary>The kernel as an image [1, d, d] scaled so its maximum is 1 (for figures such as the paper's Figure 4).</summary>
    public static Tensor ToImage(BlurKernelParameters parameters)
    {
        using var scope = NewDisposeScope();
        var k = Create(parameters, KernelNormalization.Sum);
        return (k / k.max()).unsqueeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>Sum of the official (divide-by-d) kernel: how much the official blur darkens an image.</summary>
    public static double OfficialSum(BlurKernelParameters parameters)
    {
        var k = Compute(parameters, KernelNormalization.Official);
        double s = 0;
        foreach (var v in k) s += v;
        return s;
    }

    private static double Source(int x, int y, int d) => x >= 0 && y >= 0 && x < d && y < d && x == y ? 1.0 : 0.0;

    /// <summary>OpenCV's saturate_cast&lt;int&gt;(double): round half to even.</summary>
    private static int Round(double v) => (int)Math.Round(v, MidpointRounding.ToEven);
}
