using MedDeblur.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MedDeblur.Downstream;

/// <summary>
/// The U-Net of Ronneberger, Fischer and Brox (MICCAI 2015), the segmenter of the paper's Section 4.2, at reduced
/// widths: per level two 3x3 convolutions (padding 1, so the output has the input's size; the original used unpadded
/// convolutions and a tiled output), each followed by batch normalisation (not in the original; it lets a small
/// network train in a few hundred steps) and ReLU; 2x2 max pooling down, a 2x2 stride-2 transposed convolution up
/// (halving the features), concatenation with the encoder features of the same level, and a 1x1 convolution to one
/// logit per pixel (object when the logit is positive). Any input size: padded at the bottom/right (reflect) to a
/// multiple of 2^(levels-1) and cropped back.
/// </summary>
public sealed class UNet : Module<Tensor, Tensor>
{
    private readonly ModuleList<Sequential> down = new();
    private readonly ModuleList<ConvTranspose2d> up = new();
    private readonly ModuleList<Sequential> decode = new();
    private readonly CheckedConv2d head;

    /// <summary>Creates the network for <paramref name="inChannels"/>-channel images.</summary>
    /// <param name="inChannels">Channels of the input images (1 gray, 3 colour or multi-sequence MRI).</param>
    /// <param name="widths">Features per level, e.g. 16/32/64/128.</param>
    public UNet(int inChannels, IReadOnlyList<int> widths) : base("UNet")
    {
        ArgumentNullException.ThrowIfNull(widths);
        if (widths.Count < 1 || inChannels < 1) throw new ArgumentException("a U-Net needs at least one level and one input channel");
        InChannels = inChannels;
        Widths = widths.ToArray();
        int previous = inChannels;
        foreach (int w in widths)
        {
            down.Add(DoubleConv(previous, w));
            previous = w;
        }
        for (int level = widths.Count - 2; level >= 0; level--)
        {
            up.Add(ConvTranspose2d(widths[level + 1], widths[level], 2, stride: 2));
            decode.Add(DoubleConv(2 * widths[level], widths[level]));
        }
        head = new CheckedConv2d(widths[0], 1, 1);
        RegisterComponents();
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Features per level.</summary>
    public IReadOnlyList<int> Widths { get; }

    /// <summary>Inputs are padded to a multiple of this.</summary>
    public int SizeMultiple => 1 << (Widths.Count - 1);

    /// <summary>PyTorch's default initialisation drawn from <paramref name="generator"/> (reproducible).</summary>
    public void ResetParameters(Generator generator) => WeightInit.PyTorchDefaults(this, generator);

    /// <summary>Logits [N,1,H,W] of images [N,C,H,W] in [0,1].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        int h = (int)images.shape[2], w = (int)images.shape[3], m = SizeMultiple;
        int padH = (m - h % m) % m, padW = (m - w % m) % m;
        var x = padH + padW > 0 ? functional.pad(images, [0, padW, 0, padH], padH < h && padW < w ? PaddingModes.Reflect : PaddingModes.Replicate) : images;
        var skips = new List<Tensor>();
        for (int level = 0; level < down.Count; level++)
        {
            if (level > 0) x = functional.max_pool2d(x, 2, 2);
            x = down[level].call(x);
            skips.Add(x);
        }
        for (int i = 0; i < up.Count; i++)
            x = decode[i].call(cat([skips[skips.Count - 2 - i], up[i].call(x)], 1));
        var logits = head.call(x)[.., .., ..h, ..w];
        return logits.MoveToOuterDisposeScope();
    }

    private static Sequential DoubleConv(int inChannels, int outChannels) => Sequential(
        new CheckedConv2d(inChannels, outChannels, 3, padding: 1, bias: false), BatchNorm2d(outChannels), ReLU(inplace: true),
        new CheckedConv2d(outChannels, outChannels, 3, padding: 1, bias: false), BatchNorm2d(outChannels), ReLU(inplace: true));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            down.Dispose();
            up.Dispose();
            decode.Dispose();
            head.Dispose();
        }
        base.Dispose(disposing);
    }
}
