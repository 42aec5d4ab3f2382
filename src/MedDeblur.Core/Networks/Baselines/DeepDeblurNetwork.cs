using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MedDeblur.Networks.Baselines;

/// <summary>
/// DeepDeblur, the multi-scale residual network of Nah, Kim and Lee, "Deep Multi-scale Convolutional Neural Network
/// for Dynamic Scene Deblurring", CVPR 2017, as in the authors' PyTorch reproduction SeungjunNah/DeepDeblur-PyTorch
/// (<c>MSResNet</c>, defaults <c>n_scales 3, n_resblocks 19, n_feats 64, kernel_size 5</c>). Each scale has its own
/// weights: conv 5x5 (in -> 64), 19 ResBlocks (conv-ReLU-conv + x, no batch norm), conv 5x5 (64 -> 3). Coarse to fine:
/// the coarsest scale sees the blurred image (3 channels); every finer scale sees <c>cat[blurred_k,
/// upconv(out_{k+1})]</c> (6 channels), where the up-convolution is conv 5x5 (3 -> 12) + PixelShuffle(2).
/// Parameters: 11,721,321 at the original size, exactly the count of the published PyTorch reproduction's layers.
/// The reproduction subtracts <c>rgb_range / 2</c> from inputs and adds it back to outputs; here the equivalent
/// centring is the <see cref="NetworkOptions.DataRange"/> map ([-1, 1] in the paper preset). No output activation.
/// Sizes: features <c>Baselines.Width(64)</c>, ResBlocks <c>Baselines.Depth(19)</c>, 3 scales, 5x5 kernels.
/// Keys: <c>body_models.{s}.body.{i}.*</c> (s = 0 finest), <c>conv_end_models.{1,2}.uppath.0.*</c> as in the original.
/// Initialisation: PyTorch defaults (the reproduction does not re-initialise).
/// </summary>
public sealed class DeepDeblurNetwork : DeblurNetwork
{
    /// <summary>Scales of the original network.</summary>
    public const int PyramidScales = 3;

    [ComponentName(Name = "body_models")]
    private readonly ModuleList<ScaleBody> bodies;

    [ComponentName(Name = "conv_end_models")]
    private readonly ModuleDict<UpConvolution> upConvolutions;

    /// <summary>Creates the network sized by <see cref="NetworkOptions.Baselines"/>.</summary>
    public DeepDeblurNetwork(string registryName, NetworkOptions options) : base(registryName, options)
    {
        Features = Options.Baselines.Width(64);
        ResBlocks = Options.Baselines.Depth(19);
        var list = new ScaleBody[PyramidScales];
        for (int s = 0; s < PyramidScales; s++)
            list[s] = new ScaleBody(s == PyramidScales - 1 ? 3 : 6, Features, ResBlocks, 5);
        bodies = new ModuleList<ScaleBody>(list);
        var ups = new (string, UpConvolution)[PyramidScales - 1];
        for (int s = 1; s < PyramidScales; s++) ups[s - 1] = (s.ToString(System.Globalization.CultureInfo.InvariantCulture), new UpConvolution(5));
        upConvolutions = ModuleDict(ups);
        RegisterComponents();
    }

    /// <summary>Feature maps per scale (64 originally).</summary>
    public int Features { get; }

    /// <summary>ResBlocks per scale (19 originally).</summary>
    public int ResBlocks { get; }

    /// <summary>4: the coarsest scale is a quarter of the finest.</summary>
    public override int SizeMultiple => 1 << (PyramidScales - 1);

    /// <inheritdoc />
    public override int Scales => PyramidScales;

    /// <summary>PyTorch default initialisation of every layer.</summary>
    public override void ResetParameters(Generator generator) => WeightInit.PyTorchDefaults(this, generator);

    /// <inheritdoc />
    protected override IReadOnlyList<Tensor> ForwardCore(IReadOnlyList<Tensor> pyramid)
    {
        var outputs = new Tensor[PyramidScales];
        var input = pyramid[PyramidScales - 1];
        for (int s = PyramidScales - 1; s >= 0; s--)
        {
            outputs[s] = bodies[s].call(input);
            if (s > 0)
            {
                var up = upConvolutions[s.ToString(System.Globalization.CultureInfo.InvariantCulture)].call(outputs[s]);
                input = cat([pyramid[s - 1], up], 1);
            }
        }
        return outputs;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            bodies.Dispose();
            upConvolutions.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>"Same" padding (k / 2) keeps the size only for odd kernels.</summary>
    private static void CheckKernelSize(int kernelSize)
    {
        if (kernelSize < 1 || kernelSize % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "kernel size must be a positive odd number.");
    }

    /// <summary>One scale of DeepDeblur (reproduction's <c>ResNet</c>): conv, ResBlocks, conv in one <c>body</c> Sequential.</summary>
    public sealed class ScaleBody : Module<Tensor, Tensor>
    {
        private readonly Sequential body;

        /// <summary>Creates the scale body; channel and block counts must be positive, the kernel size positive and odd.</summary>
        public ScaleBody(int inChannels, int features, int resBlocks, int kernelSize) : base(nameof(ScaleBody))
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(resBlocks, 1);
            CheckKernelSize(kernelSize);
            var layers = new List<Module<Tensor, Tensor>> { new CheckedConv2d(inChannels, features, kernelSize, padding: kernelSize / 2) };
            for (int i = 0; i < resBlocks; i++) layers.Add(new ResBlock(features, kernelSize));
            layers.Add(new CheckedConv2d(features, 3, kernelSize, padding: kernelSize / 2));
            body = Sequential(layers);
            RegisterComponents();
        }

        /// <inheritdoc />
        public override Tensor forward(Tensor x) => body.call(x);

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing) body.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// DeepDeblur's ResBlock (reproduction's <c>common.ResBlock</c>): <c>body = Sequential(conv, ReLU, conv)</c> plus the
    /// input; no batch norm, no last activation. Same function as <see cref="Blocks.ResidualBlock"/>, but kept with the
    /// reproduction's module tree so its state-dict keys (<c>body.0</c>, <c>body.2</c>) match.
    /// </summary>
    public sealed class ResBlock : Module<Tensor, Tensor>
    {
        private readonly Sequential body;

        /// <summary>Creates the block; <paramref name="features"/> must be positive, <paramref name="kernelSize"/> positive and odd.</summary>
        public ResBlock(int features, int kernelSize) : base(nameof(ResBlock))
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
            CheckKernelSize(kernelSize);
            body = Sequential(
                new CheckedConv2d(features, features, kernelSize, padding: kernelSize / 2), ReLU(),
                new CheckedConv2d(features, features, kernelSize, padding: kernelSize / 2));
            RegisterComponents();
        }

        /// <inheritdoc />
        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            return (body.call(x) + x).MoveToOuterDisposeScope();
        }

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing) body.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>The up-convolution between scales (reproduction's <c>conv_end</c>): conv 5x5 (3 -> 12) + PixelShuffle(2).</summary>
    public sealed class UpConvolution : Module<Tensor, Tensor>
    {
        private readonly Sequential uppath;

        /// <summary>Creates the up-convolution; <paramref name="kernelSize"/> must be positive and odd.</summary>
        public UpConvolution(int kernelSize) : base(nameof(UpConvolution))
        {
            CheckKernelSize(kernelSize);
            uppath = Sequential(new CheckedConv2d(3, 12, kernelSize, padding: kernelSize / 2), PixelShuffle(2));
            RegisterComponents();
        }

        /// <inheritdoc />
        public override Tensor forward(Tensor x) => uppath.call(x);

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing) uppath.Dispose();
            base.Dispose(disposing);
        }
    }
}
