using MedDeblur.Networks.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MedDeblur.Networks;

/// <summary>
/// The scale-recurrent encoder-decoder of MedDeblur (sharif-apu/MedDeblur <c>SRNDeblurNet</c>, itself
/// iwtw/SRN-DeblurNet with every ResBlock stack replaced by 3 RDBs + one SAM and a tanh on the finest output).
/// One class serves the full network, its ablations and SRN-Deblur, switched by <see cref="NetworkOptions"/>:
/// <see cref="NetworkOptions.Block"/> (RDB or plain residual), <see cref="NetworkOptions.Attention"/> (SAM),
/// <see cref="NetworkOptions.Recurrent"/> (ConvLSTM) and <see cref="NetworkOptions.Scales"/>.
/// <code>
/// for k = coarsest .. finest (weights shared by all scales):
///   x   = cat[blurred_k, up2(out_{k+1})]           (zeros at the coarsest; just blurred_k when Scales = 1)
///   e1  = inblock(x)        conv k x k (6|3 -> w0) + ReLU, blocks(w0), SAM(w0)          H
///   e2  = eblock1(e1)       conv k x k s2 (w0 -> w1) + ReLU, blocks(w1), SAM(w1)         H/2
///   e3  = eblock2(e2)       conv k x k s2 (w1 -> w2) + ReLU, blocks(w2), SAM(w2)         H/4
///   h,c = convlstm(e3, (h, c))   5x5 ConvLSTM (w2 -> w2); (h, c) = 0 at the coarsest     H/4
///   d2  = dblock1(h)        blocks(w2), SAM(w2), ConvT k x k s2 (w2 -> w1) + ReLU         H/2
///   d1  = dblock2(d2 + e2)  blocks(w1), SAM(w1), ConvT k x k s2 (w1 -> w0) + ReLU         H
///   out = outblock(d1 + e1) blocks(w0), SAM(w0), conv k x k (w0 -> 3)                     H
///   (h, c) = up2(h), up2(c)                         bilinear x2, align_corners = false
/// finest output = tanh(out_0) (MedDeblur family; raw for SRN-Deblur)
/// with NetworkOptions.GlobalResidual: out_k = blurred_k + outblock(...), last conv zero at start, no tanh
/// </code>
/// State-dict keys mirror the official ones (<c>inblock.conv.0.weight</c>, <c>eblock1.resblock_stack.0.dense_layers.0.conv.weight</c>,
/// <c>eblock2.sam.multikernelconv1.square_conv.weight</c>, <c>convlstm.conv.weight</c>, <c>dblock1.deconv.0.weight</c>,
/// <c>outblock.conv.0.weight</c>, ...); with the paper options there are 146 tensors and 8,028,917 parameters.
/// Initialisation as the official code: xavier-normal (gain 1) on every Conv2d and ConvTranspose2d weight, PyTorch
/// defaults for biases and the SE Linear layers.
/// </summary>
public sealed class ScaleRecurrentNetwork : DeblurNetwork
{
    private readonly EncoderBlock inblock;
    private readonly EncoderBlock eblock1;
    private readonly EncoderBlock eblock2;
    private readonly ConvLstmCell? convlstm;
    private readonly DecoderBlock dblock1;
    private readonly DecoderBlock dblock2;
    private readonly OutputBlock outblock;
    private readonly bool boundedOutput;

    /// <summary>
    /// Creates the network. <paramref name="boundedOutput"/> applies the range's bounded head (tanh for [-1, 1]) to the
    /// finest output, as MedDeblur does; SRN-DeblurNet has no output activation.
    /// </summary>
    public ScaleRecurrentNetwork(string registryName, NetworkOptions options, bool boundedOutput = true)
        : base(registryName, options)
    {
        var w = Options.Widths;
        int inputChannels = Options.Scales > 1 ? 6 : 3;
        this.boundedOutput = boundedOutput;
        inblock = new EncoderBlock(inputChannels, w[0], 1, Options);
        eblock1 = new EncoderBlock(w[0], w[1], 2, Options);
        eblock2 = new EncoderBlock(w[1], w[2], 2, Options);
        convlstm = Options.Recurrent ? new ConvLstmCell(w[2], w[2], Options.LstmKernel) : null;
        dblock1 = new DecoderBlock(w[2], w[1], Options);
        dblock2 = new DecoderBlock(w[1], w[0], Options);
        outblock = new OutputBlock(w[0], Options);
        RegisterComponents();
    }

    /// <summary><c>4 * 2^(Scales - 1)</c>: two stride-2 levels at the coarsest scale, halved Scales - 1 times.</summary>
    public override int SizeMultiple => 4 << (Options.Scales - 1);

    /// <inheritdoc />
    public override int Scales => Options.Scales;

    /// <summary>Whether the finest output goes through the bounded head (tanh / sigmoid).</summary>
    public bool BoundedOutput => boundedOutput;

    /// <summary>PyTorch defaults for biases and Linear layers, then xavier-normal on every conv/deconv weight.</summary>
    public override void ResetParameters(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        WeightInit.PyTorchDefaults(this, generator);
        foreach (var (_, module) in named_modules())
            if (module is Convolution conv) WeightInit.XavierNormal(conv.weight!, generator);
        if (!Options.GlobalResidual) return;
        using var _ = no_grad();
        foreach (var (name, parameter) in named_parameters())
            if (name.StartsWith("outblock.conv.", StringComparison.Ordinal)) parameter.zero_();
    }

    /// <inheritdoc />
    protected override IReadOnlyList<Tensor> ForwardCore(IReadOnlyList<Tensor> pyramid)
    {
        int scales = pyramid.Count;
        var coarsest = pyramid[scales - 1];
        (Tensor Hidden, Tensor Cell)? state = convlstm?.InitialState(
            coarsest.shape[0], coarsest.shape[2] / 4, coarsest.shape[3] / 4, coarsest.device, coarsest.dtype);
        var outputs = new Tensor[scales];
        Tensor? previous = null;
        for (int k = scales - 1; k >= 0; k--)
        {
            var blurred = pyramid[k];
            var input = scales == 1
                ? blurred
                : cat([blurred, previous is null ? zeros_like(blurred) : ImagePyramid.Upsample2(previous)], 1);
            var e1 = inblock.call(input);
            var e2 = eblock1.call(e1);
            var e3 = eblock2.call(e2);
            var bottleneck = e3;
            if (convlstm is not null)
            {
                state = convlstm.call(e3, state!.Value);
                bottleneck = state.Value.Hidden;
            }
            var d2 = dblock1.call(bottleneck);
            var d1 = dblock2.call(d2 + e2);
            outputs[k] = Options.GlobalResidual ? blurred + outblock.call(d1 + e1) : outblock.call(d1 + e1);
            previous = outputs[k];
            if (k > 0 && state is { } s)
                state = (ImagePyramid.Upsample2(s.Hidden), ImagePyramid.Upsample2(s.Cell));
        }
        if (boundedOutput && !Options.GlobalResidual) outputs[0] = Options.DataRange.Squash(outputs[0]);
        return outputs;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inblock.Dispose();
            eblock1.Dispose();
            eblock2.Dispose();
            convlstm?.Dispose();
            dblock1.Dispose();
            dblock2.Dispose();
            outblock.Dispose();
        }
        base.Dispose(disposing);
    }
}
