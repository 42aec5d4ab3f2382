using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Downstream;

/// <summary>One logged step of the U-Net's training.</summary>
/// <param name="Step">Step just finished (1-based).</param>
/// <param name="TotalSteps">Steps of the run.</param>
/// <param name="Loss">Binary cross-entropy + soft-Dice loss of the step.</param>
public sealed record SegmentationTrainingProgress(int Step, int TotalSteps, double Loss);

/// <summary>
/// Trains the <see cref="UNet"/> on the sharp training images of a <see cref="SegmentationDataset"/>: random crops of
/// <see cref="DownstreamOptions.PatchSize"/> (the whole image when smaller), half of them centred on a random object
/// pixel when the image has one (objects are small: uniform crops would mostly show background), with random
/// horizontal and vertical flips,
/// loss = binary cross-entropy on the logits + soft Dice over the batch (1 − 2Σpg/(Σp+Σg), p = sigmoid), Adam with a cosine decay to
/// 1% of the learning rate. Every random draw comes from (seed, step), so a run is repeatable. The U-Net never sees a
/// blurred image: it is the segmenter a clinic would have trained on good scans.
/// </summary>
public static class SegmentationTraining
{
    /// <summary>Trains a new U-Net and returns it in evaluation mode on <paramref name="device"/>.</summary>
    public static UNet Train(SegmentationDataset dataset, DownstreamOptions options, long seed, Device device,
        Action<SegmentationTrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        var train = dataset.Split(DatasetSplit.Train);
        if (train.Count == 0) throw new MedDeblurException($"{dataset.Root}: the segmentation training split holds no images");
        var images = new List<(Tensor Image, Tensor Mask, long[] Objects)>();
        int channels = 0;
        foreach (var item in train)
        {
            using var image = ImageIO.Read(item.FullPath);
            if (channels == 0) channels = image.Channels;
            var mask = SegmentationDataset.ReadMask(item);
            if (mask.shape[1] != image.Height || mask.shape[2] != image.Width)
                throw new MedDeblurException($"{item.MaskPath} is {mask.shape[2]}x{mask.shape[1]}, its image {item.FullPath} is {image.Width}x{image.Height}");
            var objects = mask[0].flatten().nonzero().flatten().data<long>().ToArray();
            images.Add((ToChannels(image.Pixels, channels).clone(), mask, objects));
        }
        int crop = Math.Min(options.PatchSize, images.Min(i => (int)Math.Min(i.Image.shape[1], i.Image.shape[2])));

        var unet = new UNet(channels, options.Widths);
        using (var generator = new Generator((ulong)seed))
            unet.ResetParameters(generator);
        unet.to(device);
        unet.train();
        using var optimizer = optim.Adam(unet.parameters(), options.LearningRate);
        try
        {
            for (int step = 0; step < options.Steps; step++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var random = DeterministicRandom.For(seed, step, "downstream-unet");
                var x = new List<Tensor>();
                var y = new List<Tensor>();
                for (int b = 0; b < options.BatchSize; b++)
                {
                    var (image, mask, objects) = images[random.Next(images.Count)];
                    int h = (int)image.shape[1], w = (int)image.shape[2];
                    int top = random.Next(h - crop + 1), left = random.Next(w - crop + 1);
                    if (objects.Length > 0 && random.Next(2) == 1)
                    {
                        long at = objects[random.Next(objects.Length)];
                        top = Math.Clamp((int)(at / w) - crop / 2, 0, h - crop);
                        left = Math.Clamp((int)(at % w) - crop / 2, 0, w - crop);
                    }
                    var pair = cat([image, mask], 0)[.., top..(top + crop), left..(left + crop)];
                    if (random.Next(2) == 1) pair = pair.flip(2);
                    if (random.Next(2) == 1) pair = pair.flip(1);
                    x.Add(pair[..channels]);
                    y.Add(pair[channels..]);
                }
                var inputs = stack(x).to(device);
                var targets = stack(y).to(device);
                double lr = options.LearningRate * (0.01 + 0.99 * 0.5 * (1 + Math.Cos(Math.PI * step / options.Steps)));
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                optimizer.zero_grad();
                var loss = Loss(unet.call(inputs), targets);
                loss.backward();
                optimizer.step();
                progress?.Invoke(new SegmentationTrainingProgress(step + 1, options.Steps, loss.item<float>()));
            }
        }
        catch
        {
            unet.Dispose();
            throw;
        }
        finally
        {
            foreach (var (image, mask, _) in images) { image.Dispose(); mask.Dispose(); }
        }
        unet.eval();
        return unet;
    }

    /// <summary>Binary cross-entropy on the logits + soft Dice loss over the whole batch (one Dice of all its pixels, so
    /// crops without an object do not make the loss jump).</summary>
    public static Tensor Loss(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        var bce = nn.functional.binary_cross_entropy_with_logits(logits, targets);
        var p = logits.sigmoid();
        var dice = (2 * (p * targets).sum() + 1) / (p.sum() + targets.sum() + 1);
        return bce + (1 - dice);
    }

    /// <summary>The predicted mask [1,H,W] (1 = object, logit &gt; 0) of one image [C,H,W] in [0,1].</summary>
    public static Tensor Predict(UNet unet, Tensor image, Device device)
    {
        ArgumentNullException.ThrowIfNull(unet);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = ToChannels(image.clamp(0, 1), unet.InChannels).unsqueeze(0).to(device);
        return (unet.call(input)[0] > 0).to_type(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>An image with <paramref name="channels"/> channels: gray replicated, or colour averaged to gray.</summary>
    public static Tensor ToChannels(Tensor image, int channels)
    {
        int c = (int)image.shape[0];
        if (c == channels) return image.alias();
        if (c == 1) return image.expand(channels, -1, -1).contiguous();
        if (channels == 1) return image.mean([0], keepdim: true);
        throw new MedDeblurException($"the U-Net was trained on {channels}-channel images and cannot read a {c}-channel image");
    }
}
