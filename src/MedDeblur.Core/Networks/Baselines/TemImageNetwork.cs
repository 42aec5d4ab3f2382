using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MedDeblur.Networks.Baselines;

/// <summary>
/// TEMImageNet: the U-Net of Lin et al., "TEMImageNet training library and AtomSegNet deep-learning models for
/// high-precision atom segmentation, localization, denoising, and deblurring of atomic-resolution images",
/// Sci. Rep. 11, 5386 (2021), as released in xinhuolin/AtomSegNet (<c>model_structure/unet_sigmoid.py</c>, the
/// network its denoising / background-removal / super-resolution weights load into). Three levels (64, 128, 256
/// features), two 3x3 conv + BatchNorm + ReLU per level, 2x2 max pooling, bilinear x2 upsampling with
/// <c>align_corners=True</c> (<c>UpsamplingBilinear2d</c>) followed by a 1x1 conv + BN, concatenation skips with a BN on the
/// concatenation, a last 1x1 conv, ReLU, BN and sigmoid; field names (<c>conv1_1</c>, <c>bn4_out</c>, ...) as released.
/// Differences: 3 input/output channels instead of 1 (the kit's networks are RGB); the released class also defines a
/// <c>bn9_3</c> that its forward never uses (2 parameters per channel), which is left out so every parameter trains;
/// the bounded head follows the data range (sigmoid in [0, 1] as released, tanh in [-1, 1]). With
/// <see cref="NetworkOptions.GlobalResidual"/> (the quick preset) the output is the input plus the last batch norm's
/// output, unbounded, and that batch norm starts at zero: the network starts as the identity, as the scale-recurrent
/// networks do with the option (docs/training.md).
/// Parameters: 1,743,817 here; the released single-channel class has 1,742,533 (1,742,531 without <c>bn9_3</c>); the
/// paper states no count. Initialisation: PyTorch defaults (the released <c>_initialize_weights</c> call is commented out).
/// Sizes: features <c>Baselines.Width(64)</c>, doubled per level; the depth is fixed.
/// </summary>
public sealed class TemImageNetwork : DeblurNetwork
{
#pragma warning disable IDE1006 // field names mirror the released state-dict keys
    private readonly CheckedConv2d conv1_1, conv1_2, conv2_1, conv2_2, conv4_1, conv4_2, upconv4, conv7_1, conv7_2, upconv7;
    private readonly CheckedConv2d conv9_1, conv9_2, conv9_3;
    private readonly BatchNorm2d bn1_1, bn1_2, bn2_1, bn2_2, bn4, bn4_1, bn4_2, bn4_out, bn7, bn7_1, bn7_2, bn7_out;
    private readonly BatchNorm2d bn9_1, bn9_2, bn9;
#pragma warning restore IDE1006

    /// <summary>Creates the network sized by <see cref="NetworkOptions.Baselines"/>.</summary>
    public TemImageNetwork(string registryName, NetworkOptions options) : base(registryName, options)
    {
        int f1 = Options.Baselines.Width(64), f2 = 2 * f1, f3 = 4 * f1;
        Features = f1;
        conv1_1 = new CheckedConv2d(3, f1, 3, padding: 1);
        conv1_2 = new CheckedConv2d(f1, f1, 3, padding: 1);
        bn1_1 = BatchNorm2d(f1);
        bn1_2 = BatchNorm2d(f1);
        conv2_1 = new CheckedConv2d(f1, f2, 3, padding: 1);
        conv2_2 = new CheckedConv2d(f2, f2, 3, padding: 1);
        bn2_1 = BatchNorm2d(f2);
        bn2_2 = BatchNorm2d(f2);
        conv4_1 = new CheckedConv2d(f2, f3, 3, padding: 1);
        conv4_2 = new CheckedConv2d(f3, f3, 3, padding: 1);
        upconv4 = new CheckedConv2d(f3, f2, 1);
        bn4 = BatchNorm2d(f2);
        bn4_1 = BatchNorm2d(f3);
        bn4_2 = BatchNorm2d(f3);
        bn4_out = BatchNorm2d(f3);
        conv7_1 = new CheckedConv2d(f3, f2, 3, padding: 1);
        conv7_2 = new CheckedConv2d(f2, f2, 3, padding: 1);
        upconv7 = new CheckedConv2d(f2, f1, 1);
        bn7 = BatchNorm2d(f1);
        bn7_1 = BatchNorm2d(f2);
        bn7_2 = BatchNorm2d(f2);
        bn7_out = BatchNorm2d(f2);
        conv9_1 = new CheckedConv2d(f2, f1, 3, padding: 1);
        conv9_2 = new CheckedConv2d(f1, f1, 3, padding: 1);
        bn9_1 = BatchNorm2d(f1);
        bn9_2 = BatchNorm2d(f1);
        conv9_3 = new CheckedConv2d(f1, 3, 1);
        bn9 = BatchNorm2d(3);
        RegisterComponents();
    }

    /// <summary>Features of the first level (64 originally; 128 and 256 below it).</summary>
    public int Features { get; }

    /// <summary>4: two 2x2 max-pooling steps.</summary>
    public override int SizeMultiple => 4;

    /// <summary>PyTorch default initialisation of every layer; with <see cref="NetworkOptions.GlobalResidual"/> the last
    /// batch norm's scale and shift start at zero, so the network starts as the identity.</summary>
    public override void ResetParameters(Generator generator)
    {
        WeightInit.PyTorchDefaults(this, generator);
        if (!Options.GlobalResidual) return;
        using (no_grad())
        {
            bn9.weight!.zero_();
            bn9.bias!.zero_();
        }
    }

    /// <inheritdoc />
    protected override IReadOnlyList<Tensor> ForwardCore(IReadOnlyList<Tensor> pyramid)
    {
        var x1 = Relu(bn1_2.call(conv1_2.call(Relu(bn1_1.call(conv1_1.call(pyramid[0]))))));
        var x2 = Relu(bn2_2.call(conv2_2.call(Relu(bn2_1.call(conv2_1.call(Pool(x1)))))));
        var up = Relu(bn4_2.call(conv4_2.call(Relu(bn4_1.call(conv4_1.call(Pool(x2)))))));
        up = bn4.call(upconv4.call(Upsample(up)));
        up = bn4_out.call(cat([x2, up], 1));
        up = Relu(bn7_2.call(conv7_2.call(Relu(bn7_1.call(conv7_1.call(up))))));
        up = bn7.call(upconv7.call(Upsample(up)));
        up = bn7_out.call(cat([x1, up], 1));
        up = Relu(conv9_3.call(Relu(bn9_2.call(conv9_2.call(Relu(bn9_1.call(conv9_1.call(up))))))));
        // global residual (reduced-width presets): output = input + the last batch norm, unbounded, as in ScaleRecurrentNetwork
        return [Options.GlobalResidual ? pyramid[0] + bn9.call(up) : Options.DataRange.Squash(bn9.call(up))];
    }

    private static Tensor Relu(Tensor x) => functional.relu(x);

    private static Tensor Pool(Tensor x) => functional.max_pool2d(x, 2, 2);

    private static Tensor Upsample(Tensor x) =>
        functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Bilinear, align_corners: true);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var m in new Module[]
            {
                conv1_1, conv1_2, conv2_1, conv2_2, conv4_1, conv4_2, upconv4, conv7_1, conv7_2, upconv7, conv9_1, conv9_2,
                conv9_3, bn1_1, bn1_2, bn2_1, bn2_2, bn4, bn4_1, bn4_2, bn4_out, bn7, bn7_1, bn7_2, bn7_out, bn9_1, bn9_2, bn9,
            })
                m.Dispose();
        }
        base.Dispose(disposing);
    }
}
