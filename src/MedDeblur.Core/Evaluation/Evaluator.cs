using System.Diagnostics;
using MedDeblur.Blur;
using MedDeblur.Data;
using MedDeblur.Imaging;
using MedDeblur.Metrics;
using MedDeblur.Runtime;
using Microsoft.Data.Analysis;
using static TorchSharp.torch;

namespace MedDeblur.Evaluation;

/// <summary>Settings of an evaluation.</summary>
public sealed record EvaluationSettings
{
    /// <summary>Seed of the fixed kernels (the same for every method, so all see identical inputs).</summary>
    public long KernelSeed { get; init; } = 2023;

    /// <summary>Metric conventions.</summary>
    public MetricConventions Conventions { get; init; } = MetricConventions.Paper;

    /// <summary>Write every restored image to <c>outputs/&lt;method&gt;/&lt;path&gt;.png</c> under this folder (null = don't).</summary>
    public string? OutputFolder { get; init; }

    /// <summary>Evaluate images larger than this (either side) on their centre crop of at most this size (null = native size).</summary>
    public int? MaxImageSize { get; init; }
}

/// <summary>
/// Evaluates methods on a split with fixed kernels: each image is blurred once with its kernel (seed, path) at native
/// size, every method restores the same blurred image, and PSNR/SSIM/DeltaE against the sharp image go into a DataFrame
/// with one row per (method, image), including the kernel parameters.
/// </summary>
public static class Evaluator
{
    /// <summary>Runs the evaluation; <paramref name="progress"/> gets one call per image.</summary>
    public static EvaluationResults Run(IReadOnlyList<DatasetItem> items, IReadOnlyList<IDeblurMethod> methods, MotionBlurSimulator simulator,
        EvaluationSettings? settings = null, Action<string>? progress = null)
    {
        TorchRuntime.RequireCorrectNumerics();
        settings ??= new EvaluationSettings();
        if (items.Count == 0) throw new MedDeblurException("nothing to evaluate: the split holds no images");
        var method = new StringDataFrameColumn("method");
        var modality = new StringDataFrameColumn("modality");
        var image = new StringDataFrameColumn("image");
        var length = new Int32DataFrameColumn("kernel_length");
        var angle = new DoubleDataFrameColumn("kernel_angle");
        var psnr = new DoubleDataFrameColumn("psnr");
        var ssim = new DoubleDataFrameColumn("ssim");
        var deltaE = new DoubleDataFrameColumn("deltaE");
        var seconds = new DoubleDataFrameColumn("seconds");
        foreach (var item in items)
        {
            using var scope = NewDisposeScope();
            using var sharp = ImageIO.Read(item.FullPath);
            var (blurred, kernelParameters) = simulator.ApplyFixed(sharp.Pixels, settings.KernelSeed, item.RelativePath);
            var kernel = simulator.Kernel(kernelParameters);
            // blurred at native size, then cropped: the crop's borders keep their true blur context
            var (reference, input, alpha) = (CenterCrop.Apply(sharp.Pixels, settings.MaxImageSize), CenterCrop.Apply(blurred, settings.MaxImageSize),
                sharp.Alpha is null ? null : CenterCrop.Apply(sharp.Alpha, settings.MaxImageSize));
            foreach (var m in methods)
            {
                using var methodScope = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                var restored = m.Restore(input, kernel);
                double elapsed = clock.Elapsed.TotalSeconds;
                var s = ImageQuality.Measure(reference, restored, settings.Conventions)[0];
                method.Append(m.Name); modality.Append(item.Modality); image.Append(item.RelativePath);
                length.Append(kernelParameters.Length); angle.Append(kernelParameters.AngleDegrees);
                psnr.Append(s.Psnr); ssim.Append(s.Ssim); deltaE.Append(s.DeltaE); seconds.Append(elapsed);
                if (settings.OutputFolder is { } folder)
                    ImageIO.Write(Path.Combine(folder, Safe(m.Name), Path.ChangeExtension(item.RelativePath, ".png")), restored, alpha, sharp.BitDepth);
            }
            if (settings.OutputFolder is { } root)
                ImageIO.Write(Path.Combine(root, "sharp", Path.ChangeExtension(item.RelativePath, ".png")), reference, alpha, sharp.BitDepth);
            progress?.Invoke(item.RelativePath);
        }
        var frame = new DataFrame(method, modality, image, length, angle, psnr, ssim, deltaE, seconds);
        return new EvaluationResults(frame, methods.Select(m => m.Name).ToArray(), methods.Where(m => m.KnowsKernel).Select(m => m.Name).ToArray(),
            settings.Conventions, settings.KernelSeed, simulator.Options, settings.MaxImageSize);
    }

    /// <summary>A file-system-safe folder name for a method ("Wiener (oracle kernel)" → "Wiener_oracle_kernel").</summary>
    public static string Safe(string name) =>
        System.Text.RegularExpressions.Regex.Replace(name, "[^A-Za-z0-9.+-]+", "_").Trim('_');
}
