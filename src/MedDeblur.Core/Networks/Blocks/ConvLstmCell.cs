using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MedDeblur.Networks.Blocks;

/// <summary>
/// Convolutional LSTM cell (official <c>CLSTM_cell</c>, after rogertrullo/pytorch_convlstm): one convolution
/// <c>Conv2d(in + hidden, 4 hidden, k, padding k/2, bias)</c> of <c>cat[x, h]</c> split into input, forget, output and
/// cell gates in that order; <c>c' = f c + i g</c>, <c>h' = o tanh(c')</c>. No peepholes, no forget-gate bias offset.
/// Parameters: <c>(in + hidden) 4 hidden k^2 + 4 hidden</c> (3,277,312 for 128/128/5).
/// </summary>
public sealed class ConvLstmCell : Module<Tensor, (Tensor Hidden, Tensor Cell), (Tensor Hidden, Tensor Cell)>
{
    private readonly CheckedConv2d conv;
    private readonly int hiddenChannels;

    /// <summary>Creates the cell.</summary>
    public ConvLstmCell(int inputChannels, int hiddenChannels, int kernelSize = 5) : base(nameof(ConvLstmCell))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenChannels, 1);
        if (kernelSize < 1 || kernelSize % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "kernel size must be a positive odd number.");
        this.hiddenChannels = hiddenChannels;
        conv = new CheckedConv2d(inputChannels + hiddenChannels, 4 * hiddenChannels, kernelSize, padding: kernelSize / 2);
        RegisterComponents();
    }

    /// <summary>Zero (h, c) for a batch of <paramref name="batch"/> at <paramref name="height"/> x <paramref name="width"/>.</summary>
    public (Tensor Hidden, Tensor Cell) InitialState(long batch, long height, long width, Device device, ScalarType dtype) =>
        (zeros(batch, hiddenChannels, height, width, dtype, device), zeros(batch, hiddenChannels, height, width, dtype, device));

    /// <inheritdoc />
    public override (Tensor Hidden, Tensor Cell) forward(Tensor input, (Tensor Hidden, Tensor Cell) state)
    {
        using var scope = NewDisposeScope();
        var gates = conv.call(cat([input, state.Hidden], 1)).split(hiddenChannels, 1);
        var i = gates[0].sigmoid();
        var f = gates[1].sigmoid();
        var o = gates[2].sigmoid();
        var g = gates[3].tanh();
        var cell = f * state.Cell + i * g;
        var hidden = o * cell.tanh();
        return (hidden.MoveToOuterDisposeScope(), cell.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) conv.Dispose();
        base.Dispose(disposing);
    }
}
