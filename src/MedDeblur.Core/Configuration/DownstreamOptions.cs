namespace MedDeblur.Configuration;

/// <summary>
/// The <c>downstream</c> section of a run's options: the computer-aided-diagnosis experiment of the paper's Section 4.2
/// (a U-Net trained on sharp images with masks, scored on sharp, blurry and restored test images).
/// </summary>
public sealed record DownstreamOptions
{
    /// <summary>Folder of images with masks (<c>Downstream.SegmentationDataset</c>); null = the embedded
    /// <c>data/downstream/colin27-ventricles</c>.</summary>
    public string? Root { get; init; }

    /// <summary>Features per U-Net level (Ronneberger et al. 2015: 64/128/256/512/1024); one 2x2 pooling between levels.</summary>
    public IReadOnlyList<int> Widths { get; init; } = [16, 32, 64];

    /// <summary>Adam steps of the U-Net's training on the sharp training images.</summary>
    public int Steps { get; init; } = 250;

    /// <summary>Crops per step.</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>Side of the random training crops (whole images when they are smaller), half of them centred on an object pixel.</summary>
    public int PatchSize { get; init; } = 64;

    /// <summary>Adam learning rate (cosine decay to 1% of it over the run).</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Connected components smaller than this many pixels are not objects for detection (prediction and
    /// ground truth alike); Dice and IoU use every pixel.</summary>
    public int MinComponentPixels { get; init; } = 10;

    /// <summary>A predicted box matches a ground-truth box when their IoU is at least this (PASCAL VOC: 0.5).</summary>
    public double DetectionIoU { get; init; } = 0.5;

    /// <summary>Test images shown in Figures 6 and 7.</summary>
    public int FigureImages { get; init; } = 2;

    /// <summary>Checks the values and throws naming the bad one.</summary>
    public DownstreamOptions Validate()
    {
        if (Widths.Count < 1 || Widths.Any(w => w < 1))
            throw new ArgumentOutOfRangeException(nameof(Widths), string.Join(",", Widths), "downstream.widths must list at least one positive width");
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "downstream.steps must be positive");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "downstream.batchSize must be positive");
        if (PatchSize < 16) throw new ArgumentOutOfRangeException(nameof(PatchSize), PatchSize, "downstream.patchSize must be at least 16");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "downstream.learningRate must be positive");
        if (MinComponentPixels < 1) throw new ArgumentOutOfRangeException(nameof(MinComponentPixels), MinComponentPixels, "downstream.minComponentPixels must be at least 1");
        if (DetectionIoU is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(DetectionIoU), DetectionIoU, "downstream.detectionIoU must be in (0, 1]");
        if (FigureImages < 1) throw new ArgumentOutOfRangeException(nameof(FigureImages), FigureImages, "downstream.figureImages must be at least 1");
        return this;
    }
}
