using MedDeblur.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MedDeblur.Networks;

/// <summary>
/// TorchSharp's <c>Conv2d</c> (same parameters <c>weight</c>/<c>bias</c>, same state-dict names, same default
/// initialisation) whose forward pass runs on the convolution path that the start-up self-check found correct on this CPU
/// (<see cref="Convolutions"/>). Every network of the kit builds its convolutions with it.
/// </summary>
public sealed class CheckedConv2d : Convolution
{
    /// <summary>A square-kernel convolution: <c>Conv2d(in, out, kernel, stride, padding, bias)</c>.</summary>
    public CheckedConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true)
        : base(nameof(CheckedConv2d), inChannels, outChannels, [kernelSize, kernelSize], [stride, stride], [padding, padding],
               null, [1, 1], false, [0, 0], 1, bias, TorchSharp.PaddingModes.Zeros, null, null)
    {
    }

    /// <summary>A stride-1 convolution with a rectangular kernel, e.g. the attention's 3x1 and 1x3 strips.</summary>
    public CheckedConv2d(long inChannels, long outChannels, (long Height, long Width) kernelSize, (long Height, long Width) padding,
                         bool bias = true)
        : base(nameof(CheckedConv2d), inChannels, outChannels, [kernelSize.Height, kernelSize.Width], [1, 1],
               [padding.Height, padding.Width], null, [1, 1], false, [0, 0], 1, bias, TorchSharp.PaddingModes.Zeros, null, null)
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) =>
        Convolutions.Conv2d(input, weight!, bias, stride, padding, dilation, groups);
}
