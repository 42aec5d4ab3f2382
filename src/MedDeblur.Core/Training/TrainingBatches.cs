using MedDeblur.Blur;
using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Imaging;
using MedDeblur.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Training;

/// <summary>One training batch: the blurred input pyramid (finest first) and the sharp target, RGB in [0,1].</summary>
/// <param name="Pyramid">Blurred inputs per scale, finest first ([B,3,P,P], [B,3,P/2,P/2], ...).</param>
/// <param name="Target">Sharp targets [B,3,P,P].</param>
/// <param name="Kernels">The kernel of each image.</param>
public sealed record TrainingBatch(IReadOnlyList<Tensor> Pyramid, Tensor Target, IReadOnlyList<BlurKernelParameters> Kernels);

/// <summary>
/// Makes the training batch of a given step, blurring on the fly at native resolution (Algorithm 1). All randomness
/// (which images, which kernels, crop windows) is derived from (seed, step), so batch k of a run is the same whether or
/// not the run was interrupted and resumed before it.
/// </summary>
public sealed class TrainingBatches : IDisposable
{
    private readonly IReadOnlyList<DatasetItem> items;
    private readonly MotionBlurSimulator simulator;
    private readonly DataOptions data;
    private readonly int scales;
    private readonly long seed;
    private readonly Dictionary<string, Tensor> cache = [];

    /// <summary>Creates the batch source over the training split.</summary>
    public TrainingBatches(IReadOnlyList<DatasetItem> trainItems, MotionBlurSimulator simulator, DataOptions data, int scales, long seed)
    {
        if (trainItems.Count == 0) throw new MedDeblurException("the dataset has no training images (check its splits.csv or split ratios)");
        items = trainItems;
        this.simulator = simulator;
        this.data = data;
        this.scales = scales;
        this.seed = seed;
    }

    /// <summary>The batch of step <paramref name="step"/> (0-based) with <paramref name="batchSize"/> images.</summary>
    public TrainingBatch Make(long step, int batchSize)
    {
        using var scope = NewDisposeScope();
        var random = DeterministicRandom.For(seed, step, "batch");
        using var kernelGenerator = new Generator(random.NextSeed());
        var kernels = simulator.Sample(kernelGenerator, batchSize);
        using var noise = simulator.Options.NoiseSigma > 0 ? new Generator(random.NextSeed()) : null;
        int p = data.PatchSize;
        var inputs = new List<Tensor>[scales];
        for (int k = 0; k < scales; k++) inputs[k] = [];
        var targets = new List<Tensor>();
        for (int b = 0; b < batchSize; b++)
        {
            var sharp = ImageIO.ToRgb(Load(items[random.Next(items.Count)])); // batches mix gray and RGB images
            int h = (int)sharp.shape[1], w = (int)sharp.shape[2];
            if (data.Mode == PatchMode.Resize)
            {
                // official: blur the whole image at native size, resize every scale directly from it
                var blurred = simulator.Apply(sharp, kernels[b], noise);
                for (int k = 0; k < scales; k++) inputs[k].Add(PairAugmentation.Resize(blurred, p >> k, p >> k));
                targets.Add(PairAugmentation.Resize(sharp, p, p));
            }
            else
            {
                var window = PairAugmentation.Draw(h, w, p, random, data.Augment);
                // blur only a region around the window: the margin covers the kernel, so the crop equals a crop of the
                // whole blurred image (reflect-101 at the true image borders, which the region shares)
                var padded = PairAugmentation.PadTo(sharp, p);
                int ph = (int)padded.shape[1], pw = (int)padded.shape[2], margin = simulator.Options.MaxLength;
                int top = Math.Max(0, window.Top - margin), left = Math.Max(0, window.Left - margin);
                int bottom = Math.Min(ph, window.Top + p + margin), right = Math.Min(pw, window.Left + p + margin);
                var region = padded[.., top..bottom, left..right];
                var blurred = simulator.Apply(region, kernels[b], noise);
                var local = window with { Top = window.Top - top, Left = window.Left - left };
                var input = PairAugmentation.Apply(blurred, local);
                inputs[0].Add(input);
                for (int k = 1; k < scales; k++) inputs[k].Add(PairAugmentation.Resize(input, p >> k, p >> k));
                targets.Add(PairAugmentation.Apply(region, local));
            }
        }
        var pyramid = inputs.Select(level => stack(level).MoveToOuterDisposeScope()).ToArray();
        var target = stack(targets).MoveToOuterDisposeScope();
        return new TrainingBatch(pyramid, target, kernels);
    }

    private Tensor Load(DatasetItem item)
    {
        if (cache.TryGetValue(item.RelativePath, out var cached)) return cached;
        using var image = ImageIO.Read(item.FullPath);
        var pixels = image.Pixels.alias();
        if (data.CacheImages)
        {
            pixels.DetachFromDisposeScope();
            cache[item.RelativePath] = pixels;
        }
        return pixels;
    }

    /// <summary>Releases the image cache.</summary>
    public void Dispose()
    {
        foreach (var t in cache.Values) t.Dispose();
        cache.Clear();
    }
}
