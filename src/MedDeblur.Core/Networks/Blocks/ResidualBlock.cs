using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MedDeblur.Networks.Blocks;

/// <summary>
/// Plain residual block without batch norm and without a last activation, as in SRN-DeblurNet (iwtw/SRN-DeblurNet
/// <c>resblock</c> = <c>BasicBlock(C, C, 5, last_activation_fn=None)</c>): <c>conv2(ReLU(conv1(x))) + x</c>, both
/// convolutions k x k with bias. State-dict names <c>conv1.0.*</c> and <c>conv2.0.*</c> as in the original.
/// Parameters: <c>2 (k^2 C^2 + C)</c> (51,264 / 204,928 / 819,456 for 5x5 and C = 32 / 64 / 128).
/// </summary>
public sealed class ResidualBlock : Module<Tensor, Tensor>
{
    private readonly Sequential conv1;
    private readonly Sequential conv2;

    /// <summary>Creates the block for <paramref name="channels"/> channels and odd <paramref name="kernelSize"/>.</summary>
    public ResidualBlock(int channels, int kernelSize = 5) : base(nameof(ResidualBlock))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (kernelSize < 1 || kernelSize % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "kernel size must be a positive odd number.");
        conv1 = Sequential(new CheckedConv2d(channels, channels, kernelSize, padding: kernelSize / 2), ReLU());
        conv2 = Sequential(new CheckedConv2d(channels, channels, kernelSize, padding: kernelSize / 2));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (conv2.call(conv1.call(x)) + x).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose();
            conv2.Dispose();
        }
        base.Dispose(disposing);
    }
}
