using MedDeblur.Blur;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedDeblur.Classical;

/// <summary>
/// Non-blind deconvolution with the TRUE blur kernel: an oracle reference the paper lacks. The networks are blind (they
/// never see the kernel); these rows show how far a blind method is from one that knows the blur exactly. The blur model
/// is the simulator's: correlation with kernel <c>k</c> (anchor at (d/2, d/2) rounded down), reflect-101 borders, computed
/// by <see cref="MotionBlurSimulator.Correlate"/> (through the FFT for large kernels).
/// </summary>
public static class OracleDeconvolution
{
    /// <summary>
    /// Wiener deconvolution <c>X = conj(H) Y / (|H|^2 + nsr)</c> in the Fourier domain. The image is mirrored to about twice
    /// its size first (reflect-101 padding by H-2 and W-2: one period of its reflect-101 extension), which makes it
    /// periodic without jumps, so the FFT's circular model matches the reflect-101 blur (exactly for centrally symmetric
    /// kernels such as odd-length motion lines) and no boundary ringing appears; the result is cropped back.
    /// </summary>
    /// <param name="blurred">Blurred images [B,C,H,W] or [C,H,W] in [0,1].</param>
    /// <param name="kernel">The true kernel [d,d] (any normalisation; its sum is honoured).</param>
    /// <param name="noiseToSignal">Regularisation (noise-to-signal power ratio), the default 1e-2 suits 8-bit images with a little noise.</param>
    public static Tensor Wiener(Tensor blurred, Tensor kernel, double noiseToSignal = 1e-2)
    {
        ValidateInputs(blurred, kernel);
        if (!(noiseToSignal > 0)) throw new ArgumentOutOfRangeException(nameof(noiseToSignal), noiseToSignal, "must be positive");
        using var scope = NewDisposeScope();
        bool single = blurred.dim() == 3;
        var y = (single ? blurred.unsqueeze(0) : blurred).to_type(ScalarType.Float64);
        int d = (int)kernel.shape[0], h = (int)y.shape[2], w = (int)y.shape[3];
        // reflect-101 periodic extension: x0..x(n-1), x(n-2)..x1, period 2n-2 (padding by n-1 would repeat the edge pixel)
        var padded = F.pad(y, [0, Math.Max(0, w - 2), 0, Math.Max(0, h - 2)], PaddingModes.Reflect);
        int ph = (int)padded.shape[2], pw = (int)padded.shape[3];
        var otf = TransferFunction(kernel.to_type(ScalarType.Float64).to(y.device), ph, pw);
        var spectrum = fft.rfft2(padded);
        var restored = fft.irfft2(spectrum * otf.conj() / (otf.abs().square() + noiseToSignal), s: [ph, pw]);
        var result = restored[.., .., ..h, ..w].clamp(0, 1).to_type(ScalarType.Float32);
        return (single ? result.squeeze(0) : result).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Richardson-Lucy deconvolution: <c>x ← x · Kᵀ(y / Kx) / Kᵀ1</c>, started from the blurred image, for a fixed number
    /// of iterations (no early stopping; more iterations sharpen more and amplify noise).
    /// </summary>
    /// <param name="blurred">Blurred images [B,C,H,W] or [C,H,W] in [0,1].</param>
    /// <param name="kernel">The true kernel [d,d].</param>
    /// <param name="iterations">Number of multiplicative updates.</param>
    public static Tensor RichardsonLucy(Tensor blurred, Tensor kernel, int iterations = 30)
    {
        ValidateInputs(blurred, kernel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        using var scope = NewDisposeScope();
        bool single = blurred.dim() == 3;
        var y = (single ? blurred.unsqueeze(0) : blurred).to_type(ScalarType.Float32).clamp_min(1e-6f);
        var k = kernel.to_type(ScalarType.Float32).to(y.device);
        var adjoint = Adjoint(k);
        var norm = k.sum();
        var x = y.clone();
        for (int i = 0; i < iterations; i++)
        {
            using var step = NewDisposeScope();
            var ratio = y / MotionBlurSimulator.Correlate(x, Repeat(k, x.shape[0])).clamp_min(1e-6f);
            x = (x * MotionBlurSimulator.Correlate(ratio, Repeat(adjoint, x.shape[0])) / norm).MoveToOuterDisposeScope();
        }
        var result = x.clamp(0, 1);
        return (single ? result.squeeze(0) : result).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The adjoint of correlation with <paramref name="kernel"/> (anchor d/2) as another correlation: the flipped kernel,
    /// whose anchor must be d-1-d/2. For even d that is one less than the d/2 the simulator uses, so the flipped kernel is
    /// placed one pixel down and right in a (d+1) x (d+1) frame.
    /// </summary>
    private static Tensor Adjoint(Tensor kernel)
    {
        int d = (int)kernel.shape[0];
        var flipped = kernel.flip(0, 1);
        return d % 2 == 1 ? flipped : F.pad(flipped, [1, 0, 1, 0]);
    }

    private static Tensor[] Repeat(Tensor kernel, long count) => Enumerable.Repeat(kernel, (int)count).ToArray();

    /// <summary>Optical transfer function of the correlation with <paramref name="kernel"/> on an h x w periodic grid.</summary>
    private static Tensor TransferFunction(Tensor kernel, int h, int w)
    {
        int d = (int)kernel.shape[0], a = d / 2;
        // correlation with k == convolution with the flipped kernel, whose origin sits at index d-1-a
        var grid = zeros(h, w, dtype: kernel.dtype, device: kernel.device);
        grid[..d, ..d] = kernel.flip(0, 1);
        return fft.rfft2(grid.roll([-(d - 1 - a), -(d - 1 - a)], [0, 1]));
    }

    private static void ValidateInputs(Tensor blurred, Tensor kernel)
    {
        if (blurred.dim() is not (3 or 4))
            throw new ArgumentException($"blurred images must be [C,H,W] or [B,C,H,W], got [{string.Join(",", blurred.shape)}]");
        if (kernel.dim() != 2 || kernel.shape[0] != kernel.shape[1])
            throw new ArgumentException($"the kernel must be square [d,d], got [{string.Join(",", kernel.shape)}]");
        if (kernel.shape[0] > Math.Min(blurred.shape[^1], blurred.shape[^2]))
            throw new ArgumentException($"kernel size {kernel.shape[0]} exceeds the image size {blurred.shape[^2]}x{blurred.shape[^1]}");
    }
}
