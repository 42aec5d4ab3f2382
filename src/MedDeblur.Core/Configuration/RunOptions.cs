using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MedDeblur.Blur;
using MedDeblur.Data;
using MedDeblur.Networks;

namespace MedDeblur.Configuration;

/// <summary>How training batches are made from the sharp images.</summary>
public enum PatchMode
{
    /// <summary>The official pipeline: blur the whole image at native size, then resize it to the patch size (no crop, no
    /// augmentation); the coarser scales are resized directly from the native blurred image.</summary>
    Resize,

    /// <summary>Blur at native size, then a random crop of the patch size with random flips and 90° rotations.</summary>
    Crop,
}

/// <summary>The learning-rate schedule.</summary>
public enum ScheduleKind
{
    /// <summary>Constant learning rate (official).</summary>
    Constant,
    /// <summary>Cosine decay from the learning rate to <see cref="TrainingOptions.MinLearningRate"/> over the run.</summary>
    Cosine,
}

/// <summary>The <c>data</c> section of a run's options.</summary>
public sealed record DataOptions
{
    /// <summary>Dataset root; null = the embedded sample set (or MEDDEBLUR_DATA).</summary>
    public string? Root { get; init; }

    /// <summary>How training patches are made.</summary>
    public PatchMode Mode { get; init; } = PatchMode.Resize;

    /// <summary>Side of the training patches (official: 128).</summary>
    public int PatchSize { get; init; } = 128;

    /// <summary>Random flips and 90° rotations in crop mode.</summary>
    public bool Augment { get; init; } = true;

    /// <summary>Keep decoded training images in memory.</summary>
    public bool CacheImages { get; init; } = true;

    /// <summary>Split ratios used when the dataset has no splits.csv.</summary>
    public SplitRatios Split { get; init; } = new();
}

/// <summary>The <c>training</c> section of a run's options.</summary>
public sealed record TrainingOptions
{
    /// <summary>Optimizer steps (the official run: about 160,000).</summary>
    public int Steps { get; init; } = 160_000;

    /// <summary>Images per step (official: 16).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Adam learning rate (official: 1e-4).</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>Adam β1 (official: 0.9).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam β2 (official: 0.99).</summary>
    public double Beta2 { get; init; } = 0.99;

    /// <summary>Pixel loss (official: MSE).</summary>
    public LossKind Loss { get; init; } = LossKind.Mse;

    /// <summary>Supervise every scale (sum over scales, SRN-DeblurNet's original) instead of only the finest (official).</summary>
    public bool MultiScaleLoss { get; init; }

    /// <summary>Learning-rate schedule (official: constant).</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;

    /// <summary>Final learning rate of the cosine schedule.</summary>
    public double MinLearningRate { get; init; } = 1e-6;

    /// <summary>Clip the global gradient norm to this value; null = no clipping (official).</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Seed of everything random in the run (weights, batches, kernels, crops).</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Write a log line every this many steps.</summary>
    public int LogEvery { get; init; } = 10;

    /// <summary>Validate every this many steps (and at the end); 0 = only at the end.</summary>
    public int ValidateEvery { get; init; } = 10_000;

    /// <summary>Save a checkpoint every this many steps (and at the end).</summary>
    public int CheckpointEvery { get; init; } = 10_000;

    /// <summary>Keep this many most recent step checkpoints (plus <c>best.ckpt</c>).</summary>
    public int KeepLast { get; init; } = 3;

    /// <summary>Checks the values and throws naming the bad one.</summary>
    public TrainingOptions Validate()
    {
        void Positive(double v, string name) { if (!(v > 0)) throw new ArgumentOutOfRangeException(name, v, $"training.{name} must be positive"); }
        Positive(Steps, nameof(Steps));
        Positive(BatchSize, nameof(BatchSize));
        Positive(LearningRate, nameof(LearningRate));
        Positive(LogEvery, nameof(LogEvery));
        Positive(CheckpointEvery, nameof(CheckpointEvery));
        Positive(KeepLast, nameof(KeepLast));
        if (ValidateEvery < 0) throw new ArgumentOutOfRangeException(nameof(ValidateEvery), ValidateEvery, "training.validateEvery must be >= 0");
        if (Beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "training.beta1 must be in [0, 1)");
        if (Beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "training.beta2 must be in [0, 1)");
        if (GradientClipNorm is <= 0) throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), GradientClipNorm, "training.gradientClipNorm must be positive");
        return this;
    }
}

/// <summary>The <c>evaluation</c> section of a run's options.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Seed of the fixed validation/test kernels (part of the benchmark definition: keep it to compare runs).</summary>
    public long KernelSeed { get; init; } = 2023;

    /// <summary>Metric conventions: <c>paper</c> or <c>literature</c> (docs/metrics.md).</summary>
    public string Conventions { get; init; } = "paper";

    /// <summary>Images larger than this (either side) are deblurred tile by tile.</summary>
    public int TileSize { get; init; } = 512;

    /// <summary>Overlap between tiles.</summary>
    public int TileOverlap { get; init; } = 64;

    /// <summary>Include the oracle rows (Wiener and Richardson-Lucy with the true kernel).</summary>
    public bool Oracles { get; init; } = true;

    /// <summary>Images per modality shown in the qualitative figures.</summary>
    public int FigureImages { get; init; } = 1;

    /// <summary>Evaluation budget: test images larger than this (either side), and the validation images during training,
    /// are evaluated on their centre crop of at most this size, after blurring at native size (null = native size, as
    /// the paper).</summary>
    public int? MaxImageSize { get; init; }

    /// <summary>Iterations of the Richardson-Lucy oracle row.</summary>
    public int RichardsonLucyIterations { get; init; } = 30;

    /// <summary>Restore each test image as the mean of the network's outputs on its 8 flips and quarter turns (the
    /// geometric self-ensemble; 8x the inference time, not part of the paper's protocol).</summary>
    public bool SelfEnsemble { get; init; }
}

/// <summary>The <c>reproduce</c> section: which networks the pipeline trains and how Table 4 is measured.</summary>
public sealed record ReproduceOptions
{
    /// <summary>Networks of Table 2 (MedDeblur and the baselines).</summary>
    public IReadOnlyList<string> Comparison { get; init; } = ["meddeblur", "srn", "deepdeblur", "dncnn", "temimagenet"];

    /// <summary>Networks of Table 3 (the ablation variants; the full network is shared with Table 2).</summary>
    public IReadOnlyList<string> Ablation { get; init; } = ["meddeblur-base", "meddeblur-sr", "meddeblur"];

    /// <summary>Input sizes of Table 4.</summary>
    public IReadOnlyList<int> ProfileSizes { get; init; } = [128, 256, 512];

    /// <summary>Timed runs per size (median reported) after one warm-up.</summary>
    public int LatencyRuns { get; init; } = 5;

    /// <summary>
    /// Use the kit's shipped weights (<c>weights/</c>) for a network instead of training it, when an entry exists for the
    /// network and this preset, was trained with the same network and blur options, and the run uses the embedded sample
    /// set; networks without such an entry are trained. False: train every network from scratch.
    /// </summary>
    public bool UseShippedWeights { get; init; } = true;

    /// <summary>Checks that every listed network is registered and the profile settings are usable.</summary>
    public void Validate()
    {
        foreach (var (list, key) in new[] { (Comparison, "comparison"), (Ablation, "ablation") })
            for (int i = 0; i < list.Count; i++)
                if (list[i] is not { } name || !NetworkRegistry.Names.Contains(name))
                    throw new ArgumentException($"reproduce.{key}[{i}] = {(list[i] is null ? "null" : $"'{list[i]}'")} is not a network; known: {string.Join(", ", NetworkRegistry.Names)}");
        if (ProfileSizes.Any(s => s < 16)) throw new ArgumentException($"reproduce.profileSizes must all be at least 16, got {string.Join(", ", ProfileSizes)}");
        if (LatencyRuns < 0) throw new ArgumentException($"reproduce.latencyRuns must not be negative, got {LatencyRuns}");
    }
}

/// <summary>
/// Everything that determines a run: a preset file (presets/*.json) with optional overrides. Written to every run
/// folder as <c>options.json</c> and into every checkpoint, so a run can be repeated and a checkpoint rebuilt.
/// </summary>
public sealed record RunOptions
{
    /// <summary>Preset name.</summary>
    public string Name { get; init; } = "custom";

    /// <summary>What the preset is for.</summary>
    public string Description { get; init; } = "";

    /// <summary>Registry name of the network trained by this run (for reproduce: set per model).</summary>
    public string Model { get; init; } = "meddeblur";

    /// <summary>Device: auto, cpu, cuda, cuda:N.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Network architecture.</summary>
    public NetworkOptions Network { get; init; } = new();

    /// <summary>Blur simulator.</summary>
    public BlurOptions Blur { get; init; } = new();

    /// <summary>Data pipeline.</summary>
    public DataOptions Data { get; init; } = new();

    /// <summary>Optimisation.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Validation and evaluation.</summary>
    public EvaluationOptions Evaluation { get; init; } = new();

    /// <summary>The reproduce pipeline.</summary>
    public ReproduceOptions Reproduce { get; init; } = new();

    /// <summary>The downstream (computer-aided diagnosis) experiment of Section 4.2.</summary>
    public DownstreamOptions Downstream { get; init; } = new();

    /// <summary>Parses options JSON (a preset file, options.json or a checkpoint header); unknown keys are an error naming them.</summary>
    public static RunOptions Parse(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<RunOptions>(json, StrictJson) ?? throw new MedDeblurException($"{source}: the options are empty");
        }
        catch (JsonException e)
        {
            throw new MedDeblurException($"{source}: invalid options ({e.Message})", e);
        }
    }

    /// <summary>The options as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonDefaults.Indented);

    /// <summary>The options as a JSON object (for checkpoint headers).</summary>
    public JsonObject ToJsonObject() => JsonSerializer.SerializeToNode(this, JsonDefaults.Options)!.AsObject();

    /// <summary>The sections among <paramref name="sections"/> (e.g. <c>network</c>, <c>blur</c>) in which
    /// <paramref name="other"/> differs from these options.</summary>
    public IReadOnlyList<string> DifferingSections(RunOptions other, params string[] sections)
    {
        ArgumentNullException.ThrowIfNull(other);
        var mine = ToJsonObject();
        var theirs = other.ToJsonObject();
        return sections.Where(s => !JsonNode.DeepEquals(mine[s], theirs[s])).ToArray();
    }

    /// <summary>Checks every section and throws naming the bad value.</summary>
    public RunOptions Validate()
    {
        Network.Validate();
        Blur.Validate();
        Training.Validate();
        if (Data.PatchSize < 16) throw new ArgumentOutOfRangeException(nameof(Data.PatchSize), Data.PatchSize, "data.patchSize must be at least 16");
        Data.Split.Validate();
        Downstream.Validate();
        Reproduce.Validate();
        if (Evaluation.MaxImageSize is < 16) throw new ArgumentOutOfRangeException(nameof(Evaluation.MaxImageSize), Evaluation.MaxImageSize, "evaluation.maxImageSize must be at least 16 (or null for native size)");
        if (Evaluation.RichardsonLucyIterations < 1) throw new ArgumentOutOfRangeException(nameof(Evaluation.RichardsonLucyIterations), Evaluation.RichardsonLucyIterations, "evaluation.richardsonLucyIterations must be at least 1");
        MetricsConventions();
        return this;
    }

    /// <summary>The metric conventions named by the evaluation section.</summary>
    public Metrics.MetricConventions MetricsConventions() => Metrics.MetricConventions.Named(Evaluation.Conventions);

    // unknown keys are errors, and so is null where the options have no null (e.g. "data": null, found by the fuzzer)
    private static readonly JsonSerializerOptions StrictJson = new(JsonDefaults.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
    };
}
