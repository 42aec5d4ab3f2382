using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MedDeblur.Networks.Blocks;

/// <summary>
/// One dense layer of a residual dense block (official <c>make_dense</c>): <c>cat(x, ReLU(conv3x3(x)))</c>, the
/// convolution without bias. Adds <c>growthRate</c> channels.
/// </summary>
public sealed class DenseLayer : Module<Tensor, Tensor>
{
    private readonly CheckedConv2d conv;

    /// <summary>Creates the layer for <paramref name="channels"/> input channels.</summary>
    public DenseLayer(int channels, int growthRate) : base(nameof(DenseLayer))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(growthRate, 1);
        conv = new CheckedConv2d(channels, growthRate, 3, padding: 1, bias: false);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return cat([x, functional.relu(conv.call(x))], 1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) conv.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// Residual dense block of MedDeblur (official <c>RDB(C, nDenselayer, growthRate)</c>, after Zhang et al. 2018):
/// <c>conv1x1(dense_layers(x)) + x</c> with bias-free convolutions and no residual scaling. Parameters:
/// <c>sum_i 9 * growth * (C + i * growth) + (C + layers * growth) * C</c>; with 3 layers and growth 8 that is
/// <c>C^2 + 240 C + 1728</c> (10,432 / 21,184 / 48,832 for C = 32 / 64 / 128).
/// </summary>
public sealed class ResidualDenseBlock : Module<Tensor, Tensor>
{
    [ComponentName(Name = "dense_layers")]
    private readonly Sequential denseLayers;

    [ComponentName(Name = "conv_1x1")]
    private readonly CheckedConv2d fusion;

    /// <summary>Creates the block for <paramref name="channels"/> channels.</summary>
    public ResidualDenseBlock(int channels, int denseLayerCount = 3, int growthRate = 8) : base(nameof(ResidualDenseBlock))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(denseLayerCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(growthRate, 1);
        var layers = new Module<Tensor, Tensor>[denseLayerCount];
        for (int i = 0; i < denseLayerCount; i++)
            layers[i] = new DenseLayer(channels + i * growthRate, growthRate);
        denseLayers = Sequential(layers);
        fusion = new CheckedConv2d(channels + denseLayerCount * growthRate, channels, 1, bias: false);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (fusion.call(denseLayers.call(x)) + x).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            denseLayers.Dispose();
            fusion.Dispose();
        }
        base.Dispose(disposing);
    }
}
