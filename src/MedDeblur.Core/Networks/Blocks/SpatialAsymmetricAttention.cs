using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MedDeblur.Networks.Blocks;

/// <summary>
/// Squeeze-excitation ("depth attention", official <c>SELayer</c>, Hu et al. 2018): global average pool, then
/// <c>Linear(C, C/r, no bias)</c>, ReLU, <c>Linear(C/r, C, no bias)</c>, sigmoid, channel-wise multiply.
/// State-dict names <c>fc.0.weight</c> and <c>fc.2.weight</c> as in the original. Parameters: <c>2 C (C / r)</c>.
/// </summary>
public sealed class SqueezeExcitation : Module<Tensor, Tensor>
{
    private readonly Sequential fc;

    /// <summary>Creates the layer; <c>channels / reduction</c> must be at least 1.</summary>
    public SqueezeExcitation(int channels, int reduction = 16) : base(nameof(SqueezeExcitation))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(reduction, 1);
        if (channels / reduction < 1)
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction,
                $"squeeze-excitation of {channels} channels with reduction {reduction} has no hidden units.");
        int hidden = channels / reduction;
        fc = Sequential(Linear(channels, hidden, hasBias: false), ReLU(), Linear(hidden, channels, hasBias: false), Sigmoid());
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1];
        var weights = fc.call(x.mean([2, 3])).view(b, c, 1, 1);
        return (x * weights).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) fc.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// The spatial-asymmetric attention body (official <c>MultiKernelConv2</c>, identical to SAGAN_BMVC21's
/// spatial-asymmetric attention): a 9x9 convolution feeds a squeeze-excitation (F_G); a 3x1 and a 1x3 convolution each
/// give a one-channel map <c>sigmoid(convCat(cat[mean_c, max_c]))</c> through ONE shared 9x9 <c>convCat</c> (2 -> 1);
/// the output is <c>SE(conv9x9(x)) * (F_V + F_H)</c>, broadcast over channels. All convolutions zero-padded with bias.
/// Parameters: <c>87 C^2 + 3 C + 163 + 2 C (C / r)</c> (89,475 / 357,219 / 1,428,003 for C = 32 / 64 / 128, r = 16).
/// </summary>
public sealed class MultiKernelConv : Module<Tensor, Tensor>
{
    [ComponentName(Name = "square_conv")]
    private readonly CheckedConv2d squareConv;

    [ComponentName(Name = "ver_conv")]
    private readonly CheckedConv2d verticalConv;

    [ComponentName(Name = "hor_conv")]
    private readonly CheckedConv2d horizontalConv;

    [ComponentName(Name = "convCat")]
    private readonly CheckedConv2d mapConv;

    [ComponentName(Name = "depth")]
    private readonly SqueezeExcitation channelAttention;

    /// <summary>Creates the module for <paramref name="channels"/> channels (in = out, as in every official use).</summary>
    public MultiKernelConv(int channels, int seReduction = 16) : base(nameof(MultiKernelConv))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        squareConv = new CheckedConv2d(channels, channels, 9, padding: 4);
        verticalConv = new CheckedConv2d(channels, channels, (3L, 1L), padding: (1L, 0L));
        horizontalConv = new CheckedConv2d(channels, channels, (1L, 3L), padding: (0L, 1L));
        mapConv = new CheckedConv2d(2, 1, 9, padding: 4);
        channelAttention = new SqueezeExcitation(channels, seReduction);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var square = squareConv.call(x);
        var vertical = SpatialMap(verticalConv.call(x));
        var horizontal = SpatialMap(horizontalConv.call(x));
        var global = channelAttention.call(square);
        return (global * (vertical + horizontal)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The spatial attention map F_C = F_V + F_H (one channel, values in [0, 2]) this module computes for input
    /// <paramref name="x"/>: where the block amplifies features. For visualisation (model analysis).
    /// </summary>
    public Tensor SpatialAttentionMap(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (SpatialMap(verticalConv.call(x)) + SpatialMap(horizontalConv.call(x))).MoveToOuterDisposeScope();
    }

    private Tensor SpatialMap(Tensor features)
    {
        var average = features.mean([1], keepdim: true);
        var (maximum, _) = features.max(1, keepdim: true);
        return mapConv.call(cat([average, maximum], 1)).sigmoid();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            squareConv.Dispose();
            verticalConv.Dispose();
            horizontalConv.Dispose();
            mapConv.Dispose();
            channelAttention.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// Spatial-asymmetric attention module (SAM; official <c>MultiKernelConvBlock</c>): <c>LeakyReLU(0.2)</c> of
/// <see cref="MultiKernelConv"/>. It replaces its input: the official residual (<c>x0 = x1 #+ x</c>) is commented out,
/// and so it is here. The paper writes S_C = phi(F_C x F_G) with F_C = F_V + F_H.
/// State-dict prefix <c>multikernelconv1.</c> as in the official code.
/// </summary>
public sealed class SpatialAsymmetricAttention : Module<Tensor, Tensor>
{
    [ComponentName(Name = "multikernelconv1")]
    private readonly MultiKernelConv body;

    /// <summary>Creates the module for <paramref name="channels"/> channels.</summary>
    public SpatialAsymmetricAttention(int channels, int seReduction = 16) : base(nameof(SpatialAsymmetricAttention))
    {
        body = new MultiKernelConv(channels, seReduction);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return functional.leaky_relu(body.call(x), 0.2).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) body.Dispose();
        base.Dispose(disposing);
    }
}
