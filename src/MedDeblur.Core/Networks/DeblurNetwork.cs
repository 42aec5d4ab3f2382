using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Networks;

/// <summary>
/// Base of every network in the kit. Callers pass and receive RGB <c>[B, 3, H, W]</c> float tensors in [0, 1]
/// (grayscale images are replicated to 3 channels by the caller); the network maps them into its
/// <see cref="NetworkOptions.DataRange"/> and back. Any H and W are accepted: the input is padded at the bottom and
/// right to a multiple of <see cref="SizeMultiple"/> (reflect padding; replicate padding when the image is smaller than
/// the padding) and the outputs are cropped back. The official inference resizes the pyramid with (w, h) swapped, which
/// breaks non-square images; that bug is not copied.
/// </summary>
public abstract class DeblurNetwork : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the network; validates <paramref name="options"/>.</summary>
    protected DeblurNetwork(string registryName, NetworkOptions options) : base(registryName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(registryName);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        RegistryName = registryName;
        Options = options;
    }

    /// <summary>The registry name this network was created under (e.g. <c>meddeblur</c>).</summary>
    public string RegistryName { get; }

    /// <summary>The (effective) options the network was built from.</summary>
    public NetworkOptions Options { get; }

    /// <summary>H and W of the finest input must be multiples of this (16 for the 3-scale SRN family).</summary>
    public abstract int SizeMultiple { get; }

    /// <summary>Number of pyramid levels the network consumes and outputs it returns (1 for single-scale networks).</summary>
    public virtual int Scales => 1;

    /// <summary>Trainable parameters (elements of every parameter that requires a gradient).</summary>
    public long ParameterCount => parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>The finest-scale deblurred image in [0, 1] (unclamped) for a <c>[B, 3, H, W]</c> batch of any size.</summary>
    public override Tensor forward(Tensor blurred)
    {
        using var scope = NewDisposeScope();
        var outputs = ForwardScales(blurred);
        return outputs[0].MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Outputs of every scale, finest first, in [0, 1], for a batch of any size. The pyramid is built from the padded
    /// input by bilinear downsampling (<see cref="ImagePyramid.Downsample"/>). The finest output is cropped to H x W,
    /// coarser ones to <c>ceil(H / 2^k) x ceil(W / 2^k)</c> (exactly the image when H and W are multiples of
    /// <see cref="SizeMultiple"/>). Only the finest output carries the bounded head (tanh/sigmoid) of networks that
    /// have one; coarser outputs are the raw scale outputs mapped to [0, 1] (official code: <c>tanh(i1), i2, i3</c>).
    /// </summary>
    public IReadOnlyList<Tensor> ForwardScales(Tensor blurred)
    {
        CheckImageBatch(blurred, nameof(blurred));
        using var scope = NewDisposeScope();
        long h = blurred.shape[2], w = blurred.shape[3];
        var padded = PadToMultiple(blurred, SizeMultiple);
        var outputs = Run(ImagePyramid.Downsample(padded, Scales));
        var result = new Tensor[outputs.Count];
        for (int k = 0; k < outputs.Count; k++)
        {
            long hk = (h + (1L << k) - 1) >> k, wk = (w + (1L << k) - 1) >> k;
            result[k] = outputs[k].narrow(2, 0, hk).narrow(3, 0, wk).MoveToOuterDisposeScope();
        }
        return result;
    }

    /// <summary>
    /// Outputs of every scale, finest first, in [0, 1], for an explicit input pyramid (finest first, <see cref="Scales"/>
    /// levels, level k exactly half the size of level k-1, finest H and W multiples of <see cref="SizeMultiple"/>), e.g.
    /// the official training pyramid <see cref="ImagePyramid.FromNative"/>. No padding is done.
    /// </summary>
    public IReadOnlyList<Tensor> ForwardScales(IReadOnlyList<Tensor> pyramid)
    {
        ArgumentNullException.ThrowIfNull(pyramid);
        if (pyramid.Count != Scales)
            throw new MedDeblurException($"{RegistryName}: the input pyramid has {pyramid.Count} levels, the network needs {Scales}.");
        for (int k = 0; k < pyramid.Count; k++) CheckImageBatch(pyramid[k], $"pyramid[{k}]");
        long h = pyramid[0].shape[2], w = pyramid[0].shape[3], b = pyramid[0].shape[0];
        if (h % SizeMultiple != 0 || w % SizeMultiple != 0)
            throw new MedDeblurException(
                $"{RegistryName}: the finest pyramid level is {h}x{w}; an explicit pyramid needs H and W divisible by {SizeMultiple} " +
                "(pass a single image to ForwardScales(Tensor) to have it padded).");
        for (int k = 1; k < pyramid.Count; k++)
        {
            var s = pyramid[k].shape;
            if (s[0] != b || s[2] != h >> k || s[3] != w >> k)
                throw new MedDeblurException(
                    $"{RegistryName}: pyramid[{k}] is [{string.Join(", ", s)}], expected [{b}, 3, {h >> k}, {w >> k}].");
        }
        using var scope = NewDisposeScope();
        var outputs = Run(pyramid);
        return outputs.Select(o => o.MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>
    /// Re-initialises every parameter (and resets buffers) from <paramref name="generator"/>, following the original
    /// implementation's scheme (documented per network). Construction already does this with seed 0 via the registry.
    /// </summary>
    public abstract void ResetParameters(Generator generator);

    /// <summary>
    /// The network proper: takes the pyramid already mapped into <see cref="NetworkOptions.DataRange"/> (finest first)
    /// and returns the raw outputs of every scale in that range, finest first (the finest with the bounded head if any).
    /// </summary>
    protected abstract IReadOnlyList<Tensor> ForwardCore(IReadOnlyList<Tensor> pyramid);

    /// <summary>
    /// Pads a <c>[B, C, H, W]</c> batch at the bottom and right so H and W become multiples of <paramref name="multiple"/>:
    /// reflect padding, or replicate padding when a side is too small to reflect. Returns the input itself when no
    /// padding is needed.
    /// </summary>
    public static Tensor PadToMultiple(Tensor batch, int multiple)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(multiple, 1);
        long h = batch.shape[^2], w = batch.shape[^1];
        long ph = (multiple - h % multiple) % multiple, pw = (multiple - w % multiple) % multiple;
        if (ph == 0 && pw == 0) return batch;
        var mode = ph < h && pw < w ? PaddingModes.Reflect : PaddingModes.Replicate;
        return nn.functional.pad(batch, [0, pw, 0, ph], mode);
    }

    /// <summary>Throws a <see cref="MedDeblurException"/> unless <paramref name="batch"/> is a float [B, 3, H, W] tensor.</summary>
    protected void CheckImageBatch(Tensor batch, string name)
    {
        ArgumentNullException.ThrowIfNull(batch, name);
        if (batch.dim() != 4 || batch.shape[1] != 3)
            throw new MedDeblurException(
                $"{RegistryName}: {name} has shape [{string.Join(", ", batch.shape)}]; expected an RGB batch [B, 3, H, W] " +
                "(replicate grayscale images to 3 channels first).");
        if (!batch.is_floating_point())
            throw new MedDeblurException($"{RegistryName}: {name} has dtype {batch.dtype}; expected float32 in [0, 1].");
    }

    private List<Tensor> Run(IReadOnlyList<Tensor> pyramid)
    {
        var range = Options.DataRange;
        var inside = pyramid.Select(level => range.ToInternal(level)).ToArray();
        var raw = ForwardCore(inside);
        return raw.Select(output => range.FromInternal(output)).ToList();
    }
}
