using System.Security.Cryptography;
using System.Text;
using MedDeblur.Data;
using MedDeblur.Imaging;
using MedDeblur.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedDeblur.Blur;

/// <summary>
/// The paper's Algorithm 1: synthesises blurry images from sharp ones with linear motion kernels of random length and
/// angle (<see cref="MotionKernel"/>), applied as correlation per channel with reflect-101 borders (OpenCV filter2D's
/// default), for a whole batch in one call. Training draws a fresh kernel per image per step from an explicit generator;
/// validation and test images get one fixed kernel each, derived from (seed, relative path), so every method is evaluated
/// on identical inputs on every machine.
/// </summary>
public sealed class MotionBlurSimulator
{
    /// <summary>Kernels at least this large are applied through the FFT (faster; equal to direct correlation within 1e-5).</summary>
    public const int FftThreshold = 12;

    /// <summary>Creates a simulator with validated options.</summary>
    public MotionBlurSimulator(BlurOptions? options = null) => Options = (options ?? new BlurOptions()).Validate();

    /// <summary>The options in use.</summary>
    public BlurOptions Options { get; }

    /// <summary>Draws one random kernel (uniform integer length and angle) from <paramref name="generator"/>.</summary>
    public BlurKernelParameters Sample(Generator generator)
    {
        using var scope = NewDisposeScope();
        var draws = randint(0, int.MaxValue, [2], generator: generator, dtype: ScalarType.Int64).data<long>().ToArray();
        return FromDraws(draws[0], draws[1]);
    }

    /// <summary>Draws <paramref name="count"/> random kernels.</summary>
    public IReadOnlyList<BlurKernelParameters> Sample(Generator generator, int count)
    {
        using var scope = NewDisposeScope();
        var draws = randint(0, int.MaxValue, [count, 2], generator: generator, dtype: ScalarType.Int64).data<long>().ToArray();
        return Enumerable.Range(0, count).Select(i => FromDraws(draws[2 * i], draws[2 * i + 1])).ToArray();
    }

    /// <summary>
    /// The fixed kernel of a validation or test image: a function of <paramref name="seed"/> and the image's path relative
    /// to the dataset root ('/' separators; '\' is normalised), via SHA-256, identical on every machine and .NET version.
    /// </summary>
    public BlurKernelParameters FixedFor(long seed, string relativePath)
    {
        string key = $"{seed}:{relativePath.Replace('\\', '/')}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return FromDraws((long)(BitConverter.ToUInt64(hash, 0) >> 1), (long)(BitConverter.ToUInt64(hash, 8) >> 1));
    }

    /// <summary>
    /// Blurs a validation or test image [C,H,W] the way every evaluation does: with its fixed kernel
    /// (<see cref="FixedFor"/>) and, when noise is on, sensor noise from a generator seeded by (<paramref name="seed"/>,
    /// <paramref name="relativePath"/>), so the blurred input is identical wherever it is made (evaluation, validation,
    /// <c>simulate</c>, Figure 4). <paramref name="kernel"/> replaces the fixed kernel (e.g. the <c>simulate</c> verb given a length and an angle);
    /// the noise still comes from (seed, path).
    /// </summary>
    /// <returns>The blurred image and the kernel parameters applied.</returns>
    public (Tensor Blurred, BlurKernelParameters Kernel) ApplyFixed(Tensor image, long seed, string relativePath, BlurKernelParameters? kernel = null)
    {
        string key = relativePath.Replace('\\', '/');
        var parameters = kernel ?? FixedFor(seed, key);
        using var noise = Options.NoiseSigma > 0 ? new Generator(DeterministicRandom.For(seed, 0, "noise:" + key).NextSeed()) : null;
        return (Apply(image, parameters, noise), parameters);
    }

    private BlurKernelParameters FromDraws(long a, long b)
    {
        var o = Options;
        int length = o.MinLength + (int)(a % (o.MaxLength - o.MinLength + 1));
        int angle = o.MinAngle + (int)(b % (o.MaxAngle - o.MinAngle + 1));
        return new BlurKernelParameters(length, angle);
    }

    /// <summary>The normalised kernel tensor [d, d] of <paramref name="parameters"/> under these options.</summary>
    public Tensor Kernel(BlurKernelParameters parameters) => MotionKernel.Create(parameters, Options.Normalization);

    /// <summary>Blurs one image [C,H,W] in [0,1].</summary>
    public Tensor Apply(Tensor image, BlurKernelParameters kernel, Generator? noiseGenerator = null)
    {
        if (image.dim() != 3) throw new ArgumentException($"expected one image [C,H,W], got [{string.Join(",", image.shape)}]");
        using var scope = NewDisposeScope();
        return Apply(image.unsqueeze(0), [kernel], noiseGenerator).squeeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Blurs a batch [B,C,H,W] in [0,1], image i with <paramref name="kernels"/>[i], then adds the optional sensor noise
    /// (from <paramref name="noiseGenerator"/>, required when noise is on) and 8-bit rounding. Works for any image size
    /// (borders are reflected as often as needed when the kernel is larger than the image).
    /// </summary>
    public Tensor Apply(Tensor images, IReadOnlyList<BlurKernelParameters> kernels, Generator? noiseGenerator = null)
    {
        if (images.dim() != 4) throw new ArgumentException($"expected a batch [B,C,H,W], got [{string.Join(",", images.shape)}]");
        if (kernels.Count != images.shape[0])
            throw new ArgumentException($"{kernels.Count} kernels for a batch of {images.shape[0]} images");
        if (Options.NoiseSigma > 0 && noiseGenerator is null)
            throw new ArgumentException("blur noise is on (noiseSigma > 0): pass a noise generator so the noise is reproducible");
        using var scope = NewDisposeScope();
        var result = Correlate(images, kernels.Select(Kernel).ToArray());
        if (Options.NoiseSigma > 0)
            result = result + Options.NoiseSigma * randn(result.shape, generator: noiseGenerator, dtype: result.dtype).to(result.device);
        result = result.clamp(0, 1);
        if (Options.RoundTo8Bit) result = result.mul(255).round().div(255);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Correlation of every channel of image i with kernel i (anchor (d/2, d/2) rounded down, reflect-101 borders), the
    /// operation of OpenCV's filter2D. Kernels of different sizes share one call: each is zero-padded into a common
    /// K x K frame with its anchor at the frame's anchor. Large kernels go through the FFT.
    /// </summary>
    public static Tensor Correlate(Tensor images, IReadOnlyList<Tensor> kernels)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0], c = images.shape[1];
        int h = (int)images.shape[2], w = (int)images.shape[3];
        int size = kernels.Max(k => (int)k.shape[0]);
        int anchor = size / 2;
        var frame = zeros(b, 1, size, size, dtype: images.dtype, device: images.device);
        for (int i = 0; i < kernels.Count; i++)
        {
            int d = (int)kernels[i].shape[0], o = anchor - d / 2;
            frame[i, 0, o..(o + d), o..(o + d)] = kernels[i].to(images.device).to_type(images.dtype);
        }
        var padded = ReflectPad.Reflect101(images, anchor, size - 1 - anchor);
        Tensor result;
        if (size < FftThreshold)
        {
            var weight = frame.expand(b, c, size, size).reshape(b * c, 1, size, size);
            result = Convolutions.Conv2d(padded.reshape(1, b * c, padded.shape[2], padded.shape[3]), weight, groups: b * c).reshape(b, c, h, w);
        }
        else
        {
            long ph = padded.shape[2], pw = padded.shape[3];
            var kernelSpectrum = fft.rfft2(F.pad(frame, [0, pw - size, 0, ph - size]));
            var product = fft.rfft2(padded) * kernelSpectrum.conj();
            result = fft.irfft2(product, s: [ph, pw])[.., .., ..h, ..w];
        }
        return result.contiguous().MoveToOuterDisposeScope();
    }
}
