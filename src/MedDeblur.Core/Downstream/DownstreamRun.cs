using System.Text.Json;
using MedDeblur.Blur;
using MedDeblur.Configuration;
using MedDeblur.Evaluation;
using MedDeblur.Runtime;
using TorchSharp;

namespace MedDeblur.Downstream;

/// <summary>
/// The whole downstream experiment as the CLI verb, the reproduce pipeline and the downstream notebook run it: opens the dataset
/// (<see cref="DownstreamOptions.Root"/> or the embedded lateral-ventricle set), trains the U-Net on its sharp training
/// images (or reuses <c>unet.dat</c> of a previous run in the same folder with the same options), segments the test
/// images as they are, blurred and restored by every method, and writes <c>tables/downstream_segmentation.*</c>,
/// <c>figures/figure6_segmentation.png</c>, <c>figures/figure7_detection.png</c> and the predicted masks.
/// </summary>
public static class DownstreamRun
{
    /// <summary>Runs the experiment into <paramref name="folder"/> (tables and figures in its <c>tables</c> and <c>figures</c>
    /// subfolders, the U-Net and predictions in <c>downstream</c>).</summary>
    /// <param name="options">The run options: the <c>downstream</c> section, the blur, the kernel seed, the device and the training seed.</param>
    /// <param name="methods">The rows after the sharp reference: the blurry input first, then the deblurring methods.</param>
    /// <param name="folder">Output folder.</param>
    /// <param name="training">Called after every U-Net training step.</param>
    /// <param name="evaluation">Called after every test image.</param>
    /// <param name="cancellation">Stops the training between steps.</param>
    public static DownstreamResult Run(RunOptions options, IReadOnlyList<IDeblurMethod> methods, string folder,
        Action<SegmentationTrainingProgress>? training = null, Action<string>? evaluation = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var downstream = options.Downstream.Validate();
        var dataset = SegmentationDataset.Open(downstream.Root ?? SegmentationDataset.EmbeddedRoot, options.Data.Split);
        foreach (var split in new[] { Data.DatasetSplit.Train, Data.DatasetSplit.Test })
            if (dataset.Split(split).Count == 0)
                throw new MedDeblurException($"{dataset.Root}: the {split.ToString().ToLowerInvariant()} split holds no images (split: {dataset.SplitSource}); " +
                    $"add a {Data.ImageFolderDataset.SplitsFile} (path,group,split) or more groups (data/README.md)");
        var device = TorchRuntime.ResolveDevice(options.Device);
        string work = Path.Combine(folder, "downstream");
        Directory.CreateDirectory(work);
        string weights = Path.Combine(work, "unet.dat"), written = Path.Combine(work, "unet_options.json");
        string fingerprint = JsonSerializer.Serialize(new { downstream, dataset.Root, options.Training.Seed }, JsonDefaults.Indented);
        UNet unet;
        if (File.Exists(weights) && File.Exists(written) && File.ReadAllText(written) == fingerprint)
        {
            var channels = SegmentationDataset.ChannelsOf(dataset);
            unet = new UNet(channels, downstream.Widths);
            unet.load(weights);
            unet.to(device);
            unet.eval();
        }
        else
        {
            unet = SegmentationTraining.Train(dataset, downstream, options.Training.Seed, device, training, cancellation);
            unet.save(weights + ".tmp");
            File.Move(weights + ".tmp", weights, overwrite: true);
            AtomicFile.WriteAllText(written, fingerprint);
        }
        using (unet)
        {
            var result = DownstreamExperiment.Evaluate(dataset, unet, methods, new MotionBlurSimulator(options.Blur), new DownstreamSettings
            {
                Options = downstream,
                KernelSeed = options.Evaluation.KernelSeed,
                MaxImageSize = options.Evaluation.MaxImageSize,
                OutputFolder = work,
                Device = options.Device,
            }, evaluation);
            result.Table.Notes.Add($"U-Net: widths {string.Join("/", downstream.Widths)}, {downstream.Steps} Adam steps of {downstream.BatchSize} crops of {downstream.PatchSize}x{downstream.PatchSize}, lr {downstream.LearningRate}; data {dataset.Root} ({dataset.Split(Data.DatasetSplit.Train).Count} training, {dataset.Split(Data.DatasetSplit.Test).Count} test images; split: {dataset.SplitSource}).");
            result.Save(Path.Combine(folder, "tables"), Path.Combine(folder, "figures"));
            return result;
        }
    }
}
