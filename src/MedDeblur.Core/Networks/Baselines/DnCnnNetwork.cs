using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MedDeblur.Networks.Baselines;

/// <summary>
/// "ZhaoNet" of the paper's Table 2. The paper cites it together with the DnCNN reference, so it is implemented as the
/// residual DnCNN of Zhang, Zuo, Chen, Meng and Zhang, "Beyond a Gaussian Denoiser: Residual Learning of Deep CNN for
/// Image Denoising", IEEE TIP 2017, following the authors' PyTorch code (cszn/DnCNN TrainingCodes/dncnn_pytorch):
/// 17 layers of 3x3 convolutions with 64 features: conv (3 -> 64, bias) + ReLU; 15 x [conv (64 -> 64, no bias),
/// BatchNorm (eps 1e-4, momentum 0.95), ReLU]; conv (64 -> 3, no bias). Residual learning: the network predicts the
/// degradation and returns <c>x - dncnn(x)</c>. Parameters: 558,400 for 3 channels (the authors' grayscale DnCNN-S
/// has 556,096). Initialisation as the authors': orthogonal conv weights, zero biases, BN weight 1 and bias 0.
/// Sizes: features <c>Baselines.Width(64)</c>, middle layers <c>Baselines.Depth(15)</c>. Keys <c>dncnn.{i}.*</c>.
/// </summary>
public sealed class DnCnnNetwork : DeblurNetwork
{
    private readonly Sequential dncnn;

    /// <summary>Creates the network sized by <see cref="NetworkOptions.Baselines"/>.</summary>
    public DnCnnNetwork(string registryName, NetworkOptions options) : base(registryName, options)
    {
        Features = Options.Baselines.Width(64);
        MiddleLayers = Options.Baselines.Depth(15);
        var layers = new List<Module<Tensor, Tensor>> { new CheckedConv2d(3, Features, 3, padding: 1), ReLU() };
        for (int i = 0; i < MiddleLayers; i++)
        {
            layers.Add(new CheckedConv2d(Features, Features, 3, padding: 1, bias: false));
            layers.Add(BatchNorm2d(Features, eps: 1e-4, momentum: 0.95));
            layers.Add(ReLU());
        }
        layers.Add(new CheckedConv2d(Features, 3, 3, padding: 1, bias: false));
        dncnn = Sequential(layers);
        RegisterComponents();
    }

    /// <summary>Feature maps (64 originally).</summary>
    public int Features { get; }

    /// <summary>Conv-BN-ReLU layers between the first and the last convolution (15 originally: 17 layers in all).</summary>
    public int MiddleLayers { get; }

    /// <summary>1: fully convolutional at full resolution.</summary>
    public override int SizeMultiple => 1;

    /// <summary>Orthogonal conv weights, zero biases, BatchNorm reset.</summary>
    public override void ResetParameters(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        foreach (var (_, module) in named_modules())
        {
            if (module is CheckedConv2d conv)
            {
                WeightInit.Orthogonal(conv.weight!, generator);
                using var _ = no_grad();
                conv.bias?.zero_();
            }
            else if (module is BatchNorm2d bn)
            {
                WeightInit.ResetBatchNorm(bn);
            }
        }
    }

    /// <inheritdoc />
    protected override IReadOnlyList<Tensor> ForwardCore(IReadOnlyList<Tensor> pyramid) =>
        [pyramid[0] - dncnn.call(pyramid[0])];

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) dncnn.Dispose();
        base.Dispose(disposing);
    }
}
