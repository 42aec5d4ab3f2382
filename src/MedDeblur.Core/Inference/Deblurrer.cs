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
/// without gradients. With <see cref="SelfEnsemble"/> each tile is restored in the 8 flips and quarter turns of the
/// square and the 8 results, turned back, are averaged (the geometric self-ensemble of EDSR+, Lim et al. 2017): 8 times
/// the compute, the same network. The kit's training crops take all 8 orientations, so every view is one the network
/// was trained on.
/// </summary>
public sealed class Deblurrer
{
    private readonly DeblurNetwork network;
    private readonly Device device;
    private readonly TileOptions tiles;

    /// <summary>
    /// Wraps <paramref name="network"/> (moved to <paramref name="device"/> by the caller or here); with
    /// <paramref name="selfEnsemble"/> every image is restored as the average of its 8 flipped and rotated views.
    /// </summary>
    public Deblurrer(DeblurNetwork network, Device device, TileOptions? tiles = null, bool selfEnsemble = false)
    {
        TorchRuntime.RequireCorrectNumerics();
        this.network = network;
        this.device = device;
        this.tiles = (tiles ?? new TileOptions()).Validate();
        SelfEnsemble = selfEnsemble;
        network.to(device);
    }

    /// <summary>The network in use.</summary>
    public DeblurNetwork Network => network;

    /// <summary>Whether each image is restored as the mean of its 8 flipped and rotated views (x8 compute).</summary>
    public bool SelfEnsemble { get; }

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
            Func<Tensor, Tensor> model = SelfEnsemble ? batch => Ensemble(batch.to(device)) : batch => network.call(batch.to(device));
            var restored = TiledInference.Run(rgb, model, tiles, device, network.SizeMultiple);
            return ImageIO.FromRgb(restored.to(image.device), (int)image.shape[0]).clamp(0, 1).MoveToOuterDisposeScope();
        }
        finally
        {
            if (wasTraining) network.train();
        }
    }

    /// <summary>The mean of the network's outputs over the 8 views of <paramref name="batch"/> [N,C,H,W], each turned back.</summary>
    private Tensor Ensemble(Tensor batch)
    {
        using var scope = NewDisposeScope();
        var sum = zeros_like(batch);
        foreach (bool flip in new[] { false, true })
            for (int turns = 0; turns < 4; turns++)
            {
                using var view = NewDisposeScope();
                var input = (flip ? batch.flip(-1) : batch).rot90(turns, (-2, -1));
                var output = network.call(input).rot90(-turns, (-2, -1));
                sum.add_(flip ? output.flip(-1) : output);
            }
        return sum.div_(8).MoveToOuterDisposeScope();
    }
}
