using MedDeblur.Blur;
using MedDeblur.Data;
using MedDeblur.Imaging;
using MedDeblur.Inference;
using MedDeblur.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Training;

/// <summary>Mean validation metrics at one step (the paper's Figure 9).</summary>
/// <param name="Step">Training step.</param>
/// <param name="Psnr">Mean PSNR (dB).</param>
/// <param name="Ssim">Mean SSIM.</param>
/// <param name="DeltaE">Mean DeltaE.</param>
/// <param name="Images">Images evaluated.</param>
/// <param name="BlurryPsnr">Mean PSNR of the blurred validation images themselves (the input), so that
/// <see cref="Gain"/> tells whether the network improves on doing nothing.</param>
public sealed record ValidationResult(int Step, double Psnr, double Ssim, double DeltaE, int Images, double BlurryPsnr = double.NaN)
{
    /// <summary>Mean PSNR gain over the blurred input (dB); positive when the network deblurs.</summary>
    public double Gain => Psnr - BlurryPsnr;
}

/// <summary>
/// The fixed-kernel validation split: every image is blurred once with its fixed kernel (seed, path) at native size,
/// cropped to the evaluation budget's centre crop like the test images (when the preset sets one) and kept in memory;
/// <see cref="Run"/> deblurs them all under no_grad/eval and averages the metrics.
/// </summary>
public sealed class Validation : IDisposable
{
    private readonly List<(Tensor Sharp, Tensor Blurred)> pairs = [];
    private readonly MetricConventions conventions;

    /// <summary>Prepares the validation pairs; <paramref name="maxImageSize"/> is the evaluation budget (null: native size).</summary>
    public Validation(IReadOnlyList<DatasetItem> items, MotionBlurSimulator simulator, long kernelSeed, MetricConventions conventions, int? maxImageSize = null)
    {
        this.conventions = conventions;
        foreach (var item in items)
        {
            using var scope = NewDisposeScope();
            using var image = ImageIO.Read(item.FullPath);
            var (native, _) = simulator.ApplyFixed(image.Pixels, kernelSeed, item.RelativePath);
            var blurred = CenterCrop.Apply(native, maxImageSize).contiguous();
            var sharp = CenterCrop.Apply(image.Pixels, maxImageSize).contiguous();
            sharp.DetachFromDisposeScope();
            blurred.DetachFromDisposeScope();
            pairs.Add((sharp, blurred));
        }
        BlurryPsnr = pairs.Count == 0 ? double.NaN
            : pairs.Average(p => ImageQuality.Measure(p.Sharp, p.Blurred, conventions)[0].Psnr);
    }

    /// <summary>Mean PSNR of the blurred validation images against their sharp originals (the input's score).</summary>
    public double BlurryPsnr { get; }

    /// <summary>Number of validation images.</summary>
    public int Count => pairs.Count;

    /// <summary>Deblurs every validation image and returns the mean metrics.</summary>
    public ValidationResult Run(Deblurrer deblurrer, int step)
    {
        if (pairs.Count == 0) return new ValidationResult(step, double.NaN, double.NaN, double.NaN, 0, BlurryPsnr);
        var scores = new List<QualityScores>();
        foreach (var (sharp, blurred) in pairs)
        {
            using var scope = NewDisposeScope();
            var restored = deblurrer.Deblur(blurred);
            scores.Add(ImageQuality.Measure(sharp, restored, conventions)[0]);
        }
        return new ValidationResult(step, scores.Average(s => s.Psnr), scores.Average(s => s.Ssim), scores.Average(s => s.DeltaE), scores.Count, BlurryPsnr);
    }

    /// <summary>Releases the cached images.</summary>
    public void Dispose()
    {
        foreach (var (s, b) in pairs) { s.Dispose(); b.Dispose(); }
        pairs.Clear();
    }
}
