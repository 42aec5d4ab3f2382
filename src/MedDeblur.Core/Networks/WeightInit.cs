using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MedDeblur.Networks;

/// <summary>
/// Parameter initialisers that draw from an explicit <see cref="Generator"/>. Each reproduces the PyTorch function of
/// the same name. TorchSharp's <c>nn.init.xavier_normal_</c> and <c>kaiming_uniform_</c> have no generator argument, and
/// in TorchSharp 0.107 <c>nn.init.normal_</c> / <c>uniform_</c> silently ignore the one they take (a test guards this),
/// so the draws use the tensor methods <c>normal_</c> / <c>uniform_</c>, which honour it.
/// </summary>
public static class WeightInit
{
    /// <summary>
    /// PyTorch fan-in and fan-out of a weight: <c>size(1) * receptive field</c> and <c>size(0) * receptive field</c>
    /// (for a transposed convolution, whose weight is [in, out, k, k], PyTorch uses the same formula).
    /// </summary>
    public static (long FanIn, long FanOut) Fans(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() < 2) throw new ArgumentException("fan in/out needs a weight with at least 2 dimensions.", nameof(weight));
        long receptive = 1;
        for (int d = 2; d < weight.dim(); d++) receptive *= weight.shape[d];
        return (weight.shape[1] * receptive, weight.shape[0] * receptive);
    }

    /// <summary><c>xavier_normal_(w, gain)</c>: N(0, gain * sqrt(2 / (fan_in + fan_out))).</summary>
    public static void XavierNormal(Tensor weight, Generator generator, double gain = 1.0)
    {
        var (fanIn, fanOut) = Fans(weight);
        using var _ = no_grad();
        weight.normal_(0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), generator);
    }

    /// <summary>
    /// PyTorch's default weight init of Conv and Linear layers, <c>kaiming_uniform_(w, a=sqrt(5))</c>:
    /// U(-b, b) with b = sqrt(6 / ((1 + a^2) fan_in)) = 1 / sqrt(fan_in).
    /// </summary>
    public static void DefaultWeight(Tensor weight, Generator generator)
    {
        var (fanIn, _) = Fans(weight);
        double bound = 1.0 / Math.Sqrt(fanIn);
        using var _ = no_grad();
        weight.uniform_(-bound, bound, generator);
    }

    /// <summary>PyTorch's default bias init of Conv and Linear layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) of the weight.</summary>
    public static void DefaultBias(Tensor bias, Tensor weight, Generator generator)
    {
        var (fanIn, _) = Fans(weight);
        double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0;
        using var _ = no_grad();
        bias.uniform_(-bound, bound, generator);
    }

    /// <summary>
    /// <c>orthogonal_(w, gain)</c>: the weight flattened to rows x cols is the Q factor of a QR decomposition of a
    /// standard normal matrix, with the sign correction of PyTorch (Saxe et al. 2013).
    /// </summary>
    public static void Orthogonal(Tensor weight, Generator generator, double gain = 1.0)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var scope = NewDisposeScope();
        long rows = weight.shape[0], cols = weight.numel() / rows;
        var flat = normal(0, 1, [rows, cols], generator: generator);
        if (rows < cols) flat = flat.t();
        var (q, r) = linalg.qr(flat);
        q = q * r.diagonal().sign();
        if (rows < cols) q = q.t();
        using var _ = no_grad();
        weight.copy_((q * gain).reshape(weight.shape));
    }

    /// <summary>
    /// Applies PyTorch's default initialisation to every Conv2d, ConvTranspose2d and Linear weight and bias in
    /// <paramref name="module"/>, and resets every BatchNorm2d (weight 1, bias 0, running statistics cleared).
    /// </summary>
    public static void PyTorchDefaults(nn.Module module, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var (_, child) in module.named_modules())
        {
            switch (child)
            {
                case Convolution conv:
                    DefaultWeight(conv.weight!, generator);
                    if (conv.bias is not null) DefaultBias(conv.bias, conv.weight!, generator);
                    break;
                case Linear linear:
                    DefaultWeight(linear.weight!, generator);
                    if (linear.bias is not null) DefaultBias(linear.bias, linear.weight!, generator);
                    break;
                case BatchNorm2d bn:
                    ResetBatchNorm(bn);
                    break;
            }
        }
    }

    /// <summary>Weight 1, bias 0, running mean 0, running variance 1, batches tracked 0.</summary>
    public static void ResetBatchNorm(BatchNorm2d bn)
    {
        ArgumentNullException.ThrowIfNull(bn);
        using var _ = no_grad();
        bn.weight?.fill_(1);
        bn.bias?.fill_(0);
        bn.reset_running_stats();
    }
}
