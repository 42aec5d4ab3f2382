using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MedDeblur.Networks.Blocks;

/// <summary>
/// Encoder block (official <c>EBlock</c>): <c>conv = Sequential(Conv2d(in, out, k, stride, k/2), ReLU)</c> then the
/// feature stage. Keys: <c>conv.0.*</c>, <c>resblock_stack.*</c>, <c>sam.*</c>.
/// </summary>
public sealed class EncoderBlock : Module<Tensor, Tensor>
{
    private readonly Sequential conv;

    [ComponentName(Name = "resblock_stack")]
    private readonly Sequential blocks;

    private readonly SpatialAsymmetricAttention? sam;

    /// <summary>Creates the block; <paramref name="stride"/> is 1 (in-block) or 2 (downsampling blocks).</summary>
    public EncoderBlock(int inChannels, int outChannels, int stride, NetworkOptions options) : base(nameof(EncoderBlock))
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        int k = options.KernelSize;
        conv = Sequential(new CheckedConv2d(inChannels, outChannels, k, stride: stride, padding: k / 2), ReLU());
        (blocks, sam) = StageParts.Create(outChannels, options);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return StageParts.Run(blocks, sam, conv.call(x)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv.Dispose();
            blocks.Dispose();
            sam?.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// Decoder block (official <c>DBlock</c>): the feature stage at <c>in</c> channels, then
/// <c>deconv = Sequential(ConvTranspose2d(in, out, k, stride 2, padding k/2, output_padding 1), ReLU)</c>, which doubles
/// H and W. Keys: <c>resblock_stack.*</c>, <c>sam.*</c>, <c>deconv.0.*</c>.
/// </summary>
public sealed class DecoderBlock : Module<Tensor, Tensor>
{
    [ComponentName(Name = "resblock_stack")]
    private readonly Sequential blocks;

    private readonly SpatialAsymmetricAttention? sam;
    private readonly Sequential deconv;

    /// <summary>Creates the block.</summary>
    public DecoderBlock(int inChannels, int outChannels, NetworkOptions options) : base(nameof(DecoderBlock))
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        int k = options.KernelSize;
        (blocks, sam) = StageParts.Create(inChannels, options);
        deconv = Sequential(ConvTranspose2d(inChannels, outChannels, k, stride: 2, padding: k / 2, output_padding: 1), ReLU());
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return deconv.call(StageParts.Run(blocks, sam, x)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            blocks.Dispose();
            sam?.Dispose();
            deconv.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// Output block (official <c>OutBlock</c>): the feature stage, then <c>conv = Sequential(Conv2d(in, 3, k, padding k/2))</c>
/// without activation. Keys: <c>resblock_stack.*</c>, <c>sam.*</c>, <c>conv.0.*</c>.
/// </summary>
public sealed class OutputBlock : Module<Tensor, Tensor>
{
    [ComponentName(Name = "resblock_stack")]
    private readonly Sequential blocks;

    private readonly SpatialAsymmetricAttention? sam;
    private readonly Sequential conv;

    /// <summary>Creates the block.</summary>
    public OutputBlock(int inChannels, NetworkOptions options) : base(nameof(OutputBlock))
    {
        ArgumentNullException.ThrowIfNull(options);
        int k = options.KernelSize;
        (blocks, sam) = StageParts.Create(inChannels, options);
        conv = Sequential(new CheckedConv2d(inChannels, 3, k, padding: k / 2));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return conv.call(StageParts.Run(blocks, sam, x)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            blocks.Dispose();
            sam?.Dispose();
            conv.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// The feature part every encoder, decoder and output block holds: <see cref="NetworkOptions.BlocksPerStage"/> feature
/// blocks in sequence (state-dict prefix <c>resblock_stack.i.</c>, the official name), then one optional
/// spatial-asymmetric attention module (<c>sam.</c>). Official MedDeblur: 3 RDBs then ONE SAM per block (the paper's
/// figure draws "RD-SAM" as one RDB + SAM; the code has the SAM once, after the three RDBs).
/// </summary>
internal static class StageParts
{
    public static (Sequential Blocks, SpatialAsymmetricAttention? Sam) Create(int channels, NetworkOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        var list = new Module<Tensor, Tensor>[options.BlocksPerStage];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = options.Block switch
            {
                BlockKind.ResidualDense => new ResidualDenseBlock(channels, options.DenseLayers, options.GrowthRate),
                BlockKind.Residual => new ResidualBlock(channels, options.KernelSize),
                _ => throw new ArgumentOutOfRangeException(nameof(options), options.Block, "unknown block kind"),
            };
        }
        var sam = options.Attention ? new SpatialAsymmetricAttention(channels, options.SeReduction) : null;
        return (Sequential(list), sam);
    }

    public static Tensor Run(Sequential blocks, SpatialAsymmetricAttention? sam, Tensor x)
    {
        var y = blocks.call(x);
        return sam is null ? y : sam.call(y);
    }
}
