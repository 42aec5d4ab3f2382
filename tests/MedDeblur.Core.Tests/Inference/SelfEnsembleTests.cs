using MedDeblur.Configuration;
using MedDeblur.Imaging;
using MedDeblur.Inference;
using MedDeblur.Networks;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Inference;

public sealed class SelfEnsembleTests
{
    private static Tensor Image(int channels) =>
        MedDeblur.Tests.Networks.TestImages.Sharp(1, 1, 45, 70).squeeze(0)[..channels] * 0.6 + 0.2;

    [Fact]
    public void The_self_ensemble_of_a_network_at_the_identity_returns_the_image()
    {
        // a global-residual network starts as the identity; a view turned back the wrong way (or a transposed shape on
        // this non-square image) would not give the image back
        using var scope = NewDisposeScope();
        using var network = NetworkRegistry.Create("meddeblur", Presets.Load("smoke").Network with { GlobalResidual = true }, 3);
        var image = Image(3);
        var restored = new Deblurrer(network, CPU, selfEnsemble: true).Deblur(image);
        Assert.Equal(image.shape, restored.shape);
        Assert.True(restored.allclose(image, rtol: 0, atol: 1e-5), $"max difference {(restored - image).abs().max().item<float>()}");
    }

    [Fact]
    public void The_self_ensemble_is_the_mean_of_the_eight_views_turned_back()
    {
        using var scope = NewDisposeScope();
        using var network = NetworkRegistry.Create("meddeblur", Presets.Load("smoke").Network, 5);
        network.eval();
        var image = Image(1);
        var expected = zeros(3, 45, 70);
        using (no_grad())
        {
            var rgb = ImageIO.ToRgb(image).unsqueeze(0);
            // the 8 elements of the square's symmetry group: transpose x (identity, three flips)
            foreach (bool transpose in new[] { false, true })
                foreach (var dims in new[] { Array.Empty<long>(), [-1L], [-2L], [-2L, -1L] })
                {
                    var view = transpose ? rgb.transpose(-2, -1) : rgb;
                    if (dims.Length > 0) view = view.flip(dims);
                    var output = network.call(view);
                    if (dims.Length > 0) output = output.flip(dims);
                    expected += (transpose ? output.transpose(-2, -1) : output).squeeze(0) / 8;
                }
        }
        var single = new Deblurrer(network, CPU).Deblur(image);
        var ensemble = new Deblurrer(network, CPU, selfEnsemble: true).Deblur(image);
        var reference = ImageIO.FromRgb(expected, 1).clamp(0, 1);
        Assert.True(ensemble.allclose(reference, rtol: 0, atol: 1e-5), $"max difference {(ensemble - reference).abs().max().item<float>()}");
        Assert.True((ensemble - single).abs().max().item<float>() > 1e-3, "an untrained network is not equivariant: the ensemble must differ from one pass");
    }
}
