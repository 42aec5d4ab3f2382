using MedDeblur.Blur;
using MedDeblur.Classical;
using MedDeblur.Inference;
using static TorchSharp.torch;

namespace MedDeblur.Evaluation;

/// <summary>A row of the comparison tables: something that turns a blurred image into a restored one.</summary>
public interface IDeblurMethod
{
    /// <summary>Row label, e.g. "MedDeblur" or "Wiener (oracle kernel)".</summary>
    string Name { get; }

    /// <summary>True for methods that are told the true kernel (not comparable to blind methods; labelled as such).</summary>
    bool KnowsKernel { get; }

    /// <summary>Restores one blurred image [C,H,W] in [0,1] blurred with <paramref name="kernel"/>.</summary>
    Tensor Restore(Tensor blurred, Tensor kernel);
}

/// <summary>The "blurry input" row: the blurred image itself, the floor every method must beat.</summary>
public sealed class BlurryInput : IDeblurMethod
{
    /// <inheritdoc />
    public string Name => "Blurry input";

    /// <inheritdoc />
    public bool KnowsKernel => false;

    /// <inheritdoc />
    public Tensor Restore(Tensor blurred, Tensor kernel) => blurred.alias();
}

/// <summary>A trained network (blind: it never sees the kernel).</summary>
/// <param name="name">Row label.</param>
/// <param name="deblurrer">The network with its tiling and channel handling.</param>
public sealed class NetworkMethod(string name, Deblurrer deblurrer) : IDeblurMethod
{
    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public bool KnowsKernel => false;

    /// <summary>The wrapped deblurrer.</summary>
    public Deblurrer Deblurrer => deblurrer;

    /// <inheritdoc />
    public Tensor Restore(Tensor blurred, Tensor kernel) => deblurrer.Deblur(blurred);
}

/// <summary>Wiener deconvolution told the true kernel (oracle row, not in the paper).</summary>
/// <param name="noiseToSignal">Regularisation.</param>
public sealed class WienerOracle(double noiseToSignal = 1e-2) : IDeblurMethod
{
    /// <inheritdoc />
    public string Name => "Wiener (oracle kernel)";

    /// <inheritdoc />
    public bool KnowsKernel => true;

    /// <inheritdoc />
    public Tensor Restore(Tensor blurred, Tensor kernel) => OracleDeconvolution.Wiener(blurred, kernel, noiseToSignal);
}

/// <summary>Richardson-Lucy told the true kernel (oracle row, not in the paper).</summary>
/// <param name="iterations">Multiplicative updates.</param>
public sealed class RichardsonLucyOracle(int iterations = 30) : IDeblurMethod
{
    /// <inheritdoc />
    public string Name => $"Richardson-Lucy {iterations} it. (oracle kernel)";

    /// <inheritdoc />
    public bool KnowsKernel => true;

    /// <inheritdoc />
    public Tensor Restore(Tensor blurred, Tensor kernel) => OracleDeconvolution.RichardsonLucy(blurred, kernel, iterations);
}
