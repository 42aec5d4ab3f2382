using MedDeblur.Imaging;
using MedDeblur.Networks;
using MedDeblur.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Inference;

/// <summary>
/// Deblurs whole images of any size and channel count with a trained network: grayscale is replicated to RGB for the
/// network and folded back (mean of R, G, B), the network pads to its size multiple and crops back, images larger than
/// the tile size run tile by tile (<see cref="TiledInference"/>), and the output is clamped to [0,1]. Runs in eval mode
/// without gradients.
/// </summary>
public sealed class Deblurrer
{
    private readonly DeblurNetwork network;
    private readonly Device device;
    private readonly TileOptions tiles;

    /// <summary>Wraps <paramref name="network"/> (moved to <paramref name="device"/> by the caller or here).</summary>
    public Deblurrer(DeblurNetwork network, Device device, TileOptions? tiles = null)
    {
        TorchRuntime.RequireCorrectNumerics();
        this.network = network;
        this.device = device;
        this.tiles = (tiles ?? new TileOptions()).Validate();
        network.to(device);
    }

    /// <summary>The network in use.</summary>
    public DeblurNetwork Network => network;

    /// <summary>Deblurs one image [C,H,W] (C = 1 or 3) in [0,1]; returns the same shape on the image's device.</summary>
    public Tensor Deblur(Tensor image)
    {
        if (image.dim() != 3 || image.shape[0] is not (1 or 3))
            throw new ArgumentException($"expected an image [C,H,W] with C = 1 or 3, got [{string.Join(",", image.shape)}]");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        bool wasTraining = network.training;
        network.eval();
        try
        {
            var rgb = ImageIO.ToRgb(image);
            var restored = TiledInference.Run(rgb, batch => network.call(batch.to(device)), tiles, device, network.SizeMultiple);
            return ImageIO.FromRgb(restored.to(image.device), (int)image.shape[0]).clamp(0, 1).MoveToOuterDisposeScope();
        }
        finally
        {
            if (wasTraining) network.train();
        }
    }
}
