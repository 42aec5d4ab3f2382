using System.Globalization;
using System.Text.Json.Serialization;

namespace MedDeblur.Networks;

/// <summary>
/// The value range a network computes in. Callers always pass and receive [0, 1] images; the network maps them to
/// this range on the way in and back to [0, 1] on the way out (<see cref="DeblurNetwork"/>).
/// </summary>
public enum DataRange
{
    /// <summary>[0, 1]: the images as they are. Bounded output heads use a sigmoid.</summary>
    ZeroToOne,

    /// <summary>
    /// [-1, 1]: input <c>2x - 1</c>, output <c>(y + 1) / 2</c>. The official MedDeblur code trains in this range
    /// (<c>Normalize(0.5, 0.5)</c>, tanh output); bounded output heads use a tanh.
    /// </summary>
    MinusOneToOne,
}

/// <summary>The feature block repeated inside every encoder, decoder and output block of the scale-recurrent family.</summary>
public enum BlockKind
{
    /// <summary>Residual dense block (3 bias-free 3x3 dense layers, 1x1 fusion, residual): the MedDeblur RDB.</summary>
    ResidualDense,

    /// <summary>
    /// Plain residual block without batch norm: conv-ReLU-conv plus the input, with <see cref="NetworkOptions.KernelSize"/>
    /// kernels (5x5 in SRN-DeblurNet). Used by the <c>meddeblur-base</c> / <c>meddeblur-sr</c> ablations and <c>srn</c>.
    /// </summary>
    Residual,
}

/// <summary>Size knobs of the four baselines (DeepDeblur, DnCNN, TEMImageNet), so they can be trained at reduced size.</summary>
/// <remarks>
/// Widths are <c>max(1, round(original width * WidthMultiplier))</c> and depths <c>max(1, round(original depth *
/// DepthMultiplier))</c>, where the original values are DeepDeblur 64 features / 19 ResBlocks per scale, DnCNN 64
/// features / 15 middle conv-BN-ReLU layers, TEMImageNet 64/128/256 features (its depth is fixed). SRN-Deblur shares the
/// MedDeblur backbone and is sized by <see cref="NetworkOptions.Widths"/> and <see cref="NetworkOptions.BlocksPerStage"/>.
/// </remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record BaselineOptions
{
    /// <summary>Multiplier on every baseline's feature widths (1 = the original). Must be positive.</summary>
    public double WidthMultiplier { get; init; } = 1.0;

    /// <summary>Multiplier on the baselines' repeated-block counts (1 = the original). Must be positive.</summary>
    public double DepthMultiplier { get; init; } = 1.0;

    /// <summary>Scales an original width: <c>max(1, round(width * WidthMultiplier))</c>.</summary>
    public int Width(int original) => Math.Max(1, (int)Math.Round(original * WidthMultiplier, MidpointRounding.AwayFromZero));

    /// <summary>Scales an original depth: <c>max(1, round(depth * DepthMultiplier))</c>.</summary>
    public int Depth(int original) => Math.Max(1, (int)Math.Round(original * DepthMultiplier, MidpointRounding.AwayFromZero));
}

/// <summary>
/// Architecture options of every network in the kit (the <c>network</c> section of a preset file, camelCase JSON).
/// The defaults are the official MedDeblur values (sharif-apu/MedDeblur, 8,028,917 parameters); registry names such as
/// <c>meddeblur-base</c> switch individual options (<see cref="NetworkRegistry"/>).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record NetworkOptions
{
    /// <summary>
    /// Feature widths of the three encoder levels (full, 1/2 and 1/4 resolution); the decoder mirrors them. Official:
    /// 32, 64, 128. Exactly three entries (the official encoder has three levels: in-block and two stride-2 blocks).
    /// </summary>
    public IReadOnlyList<int> Widths { get; init; } = [32, 64, 128];

    /// <summary>Feature blocks (RDBs or residual blocks) in every encoder, decoder and output block. Official: 3.</summary>
    public int BlocksPerStage { get; init; } = 3;

    /// <summary>Which feature block is repeated: residual dense (MedDeblur) or plain residual (ablations, SRN).</summary>
    public BlockKind Block { get; init; } = BlockKind.ResidualDense;

    /// <summary>Dense layers per residual dense block. Official: 3.</summary>
    public int DenseLayers { get; init; } = 3;

    /// <summary>Growth rate (channels added by each dense layer). Official: 8.</summary>
    public int GrowthRate { get; init; } = 8;

    /// <summary>Squeeze-excitation reduction of the attention module (hidden width = C / r). Official: 16.</summary>
    public int SeReduction { get; init; } = 16;

    /// <summary>Whether each encoder/decoder/output block ends with a spatial-asymmetric attention module.</summary>
    public bool Attention { get; init; } = true;

    /// <summary>Scales of the coarse-to-fine pyramid (each half the size of the next). Official: 3.</summary>
    public int Scales { get; init; } = 3;

    /// <summary>Whether the ConvLSTM sits at the bottleneck and carries (h, c) from scale to scale.</summary>
    public bool Recurrent { get; init; } = true;

    /// <summary>Kernel size of the ConvLSTM gate convolution. Official: 5.</summary>
    public int LstmKernel { get; init; } = 5;

    /// <summary>Kernel size of the encoder/decoder/output convolutions and of plain residual blocks. Official: 5.</summary>
    public int KernelSize { get; init; } = 5;

    /// <summary>The range the network computes in; callers always use [0, 1]. Official: [-1, 1].</summary>
    public DataRange DataRange { get; init; } = DataRange.MinusOneToOne;

    /// <summary>
    /// Not in the paper (the scale-recurrent networks and TEMImageNet): every scale's output is its blurred input plus the
    /// network's output, whose last layer starts at zero, so training starts from the identity and the bounded head (tanh
    /// or sigmoid) is dropped. Official: false. docs/training.md measures it for the reduced-width presets.
    /// </summary>
    public bool GlobalResidual { get; init; }

    /// <summary>Size knobs of the baselines.</summary>
    public BaselineOptions Baselines { get; init; } = new();

    /// <summary>The official MedDeblur options (the defaults).</summary>
    public static NetworkOptions Paper { get; } = new();

    /// <summary>
    /// Checks every value and throws a <see cref="MedDeblurException"/> naming the first bad option and its value
    /// (<paramref name="prefix"/> is prepended to option names, e.g. <c>network.</c> for a preset file).
    /// </summary>
    public NetworkOptions Validate(string prefix = "network.")
    {
        void Fail(string option, object? value, string rule) =>
            throw new MedDeblurException($"{prefix}{option} = {Format(value)}: {rule}.");

        if (Widths is null) Fail("widths", null, "three positive widths are required");
        if (Widths!.Count != 3) Fail("widths", Widths, "exactly three widths are required (full, 1/2 and 1/4 resolution)");
        for (int i = 0; i < Widths.Count; i++)
            if (Widths[i] < 1) Fail($"widths[{i}]", Widths[i], "must be at least 1");
        if (BlocksPerStage < 1) Fail("blocksPerStage", BlocksPerStage, "must be at least 1");
        if (!Enum.IsDefined(Block)) Fail("block", Block, "must be residualDense or residual");
        if (DenseLayers < 1) Fail("denseLayers", DenseLayers, "must be at least 1");
        if (GrowthRate < 1) Fail("growthRate", GrowthRate, "must be at least 1");
        if (SeReduction < 1) Fail("seReduction", SeReduction, "must be at least 1");
        if (Attention)
        {
            int narrowest = Widths.Min();
            if (narrowest / SeReduction < 1)
                Fail("seReduction", SeReduction,
                    $"the narrowest width {narrowest} divided by it must be at least 1 (squeeze-excitation hidden width)");
        }
        if (Scales is < 1 or > 6) Fail("scales", Scales, "must be between 1 and 6");
        if (LstmKernel < 1 || LstmKernel % 2 == 0) Fail("lstmKernel", LstmKernel, "must be a positive odd number");
        if (KernelSize < 1 || KernelSize % 2 == 0) Fail("kernelSize", KernelSize, "must be a positive odd number");
        if (!Enum.IsDefined(DataRange)) Fail("dataRange", DataRange, "must be zeroToOne or minusOneToOne");
        if (Baselines is null) Fail("baselines", null, "must be an object");
        if (!(Baselines!.WidthMultiplier > 0) || double.IsInfinity(Baselines.WidthMultiplier))
            Fail("baselines.widthMultiplier", Baselines.WidthMultiplier, "must be a positive finite number");
        if (!(Baselines.DepthMultiplier > 0) || double.IsInfinity(Baselines.DepthMultiplier))
            Fail("baselines.depthMultiplier", Baselines.DepthMultiplier, "must be a positive finite number");
        return this;
    }

    /// <inheritdoc />
    public bool Equals(NetworkOptions? other) =>
        other is not null && Widths.SequenceEqual(other.Widths) && BlocksPerStage == other.BlocksPerStage &&
        Block == other.Block && DenseLayers == other.DenseLayers && GrowthRate == other.GrowthRate &&
        SeReduction == other.SeReduction && Attention == other.Attention && Scales == other.Scales &&
        Recurrent == other.Recurrent && LstmKernel == other.LstmKernel && KernelSize == other.KernelSize &&
        DataRange == other.DataRange && GlobalResidual == other.GlobalResidual && Equals(Baselines, other.Baselines);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(string.Join(",", Widths), BlocksPerStage, Block, DenseLayers, GrowthRate, SeReduction,
            HashCode.Combine(Attention, Scales, Recurrent, LstmKernel, KernelSize, DataRange, GlobalResidual, Baselines));

    private static string Format(object? value) => value switch
    {
        null => "null",
        IEnumerable<int> list => "[" + string.Join(", ", list) + "]",
        double d => d.ToString(CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "?",
    };
}
