using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Networks;

/// <summary>The pixel loss of a deblurring network.</summary>
public enum LossKind
{
    /// <summary>Mean squared error (official MedDeblur: <c>nn.MSELoss</c> on the finest output).</summary>
    Mse,

    /// <summary>Mean absolute error (DeepDeblur-PyTorch's default <c>1*L1</c>).</summary>
    L1,
}

/// <summary>
/// Training loss on [0, 1] images. Single-scale (the paper preset): the loss of the finest output against the target.
/// Multi-scale: the sum over scales of the loss of each output against the target resized to that output's size
/// (bilinear, align_corners=false, no antialias), as iwtw/SRN-DeblurNet sums MSE over its three scales.
/// The official loss is MSE in [-1, 1], exactly 4 times the MSE in [0, 1]; Adam's update is invariant to a constant
/// loss scale (up to its epsilon), so computing in [0, 1] trains the same way.
/// </summary>
public sealed class DeblurLoss
{
    /// <summary>Creates the loss.</summary>
    public DeblurLoss(LossKind kind = LossKind.Mse, bool multiScale = false)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown loss kind");
        Kind = kind;
        MultiScale = multiScale;
    }

    /// <summary>MSE or L1.</summary>
    public LossKind Kind { get; }

    /// <summary>Whether every scale's output is supervised (sum over scales) or only the finest.</summary>
    public bool MultiScale { get; }

    /// <summary>The loss of the outputs of <see cref="DeblurNetwork.ForwardScales(Tensor)"/> (finest first) against the target.</summary>
    public Tensor Compute(IReadOnlyList<Tensor> outputs, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(target);
        if (outputs.Count == 0) throw new ArgumentException("no network outputs were given.", nameof(outputs));
        if (!MultiScale) return Compute(outputs[0], target);
        using var scope = NewDisposeScope();
        var total = Compute(outputs[0], target);
        for (int k = 1; k < outputs.Count; k++)
        {
            var resized = ImagePyramid.Resize(target, outputs[k].shape[2], outputs[k].shape[3]);
            total = total + Compute(outputs[k], resized);
        }
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>The loss of one output against a target of the same shape.</summary>
    public Tensor Compute(Tensor output, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(target);
        if (!output.shape.SequenceEqual(target.shape))
            throw new MedDeblurException(
                $"loss: output [{string.Join(", ", output.shape)}] and target [{string.Join(", ", target.shape)}] differ in shape.");
        return Kind == LossKind.Mse
            ? nn.functional.mse_loss(output, target)
            : nn.functional.l1_loss(output, target);
    }
}
