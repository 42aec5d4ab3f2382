using MedDeblur.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Networks;

public class LossTests
{
    [Fact]
    public void Mse_and_l1_of_known_tensors_have_the_hand_computed_values()
    {
        using var output = tensor(new float[] { 0.0f, 0.5f, 1.0f, 0.25f }, [1, 1, 2, 2]);
        using var target = tensor(new float[] { 0.5f, 0.5f, 0.0f, 0.75f }, [1, 1, 2, 2]);
        // differences 0.5, 0, 1, 0.5: squares 0.25 + 0 + 1 + 0.25 = 1.5 -> 0.375; absolutes 2.0 -> 0.5.
        Assert.Equal(0.375f, new DeblurLoss(LossKind.Mse).Compute(output, target).item<float>(), 6);
        Assert.Equal(0.5f, new DeblurLoss(LossKind.L1).Compute(output, target).item<float>(), 6);
    }

    [Fact]
    public void Multi_scale_loss_sums_each_scale_against_the_resized_target()
    {
        using var target = TestImages.Random(41, 1, 3, 16, 16);
        using var o0 = TestImages.Random(42, 1, 3, 16, 16);
        using var o1 = TestImages.Random(43, 1, 3, 8, 8);
        using var o2 = TestImages.Random(44, 1, 3, 4, 4);
        using var t1 = nn.functional.interpolate(target, size: [8, 8], mode: InterpolationMode.Bilinear, align_corners: false);
        using var t2 = nn.functional.interpolate(target, size: [4, 4], mode: InterpolationMode.Bilinear, align_corners: false);
        double expected = (o0 - target).pow(2).mean().item<float>() + (o1 - t1).pow(2).mean().item<float>()
                          + (o2 - t2).pow(2).mean().item<float>();
        using var multi = new DeblurLoss(LossKind.Mse, multiScale: true).Compute([o0, o1, o2], target);
        Assert.Equal(expected, multi.item<float>(), 5);
        using var single = new DeblurLoss(LossKind.Mse).Compute([o0, o1, o2], target);
        Assert.Equal((o0 - target).pow(2).mean().item<float>(), single.item<float>(), 6);
    }

    [Fact]
    public void Loss_of_mismatched_shapes_names_both_shapes()
    {
        using var a = zeros(1, 3, 4, 4);
        using var b = zeros(1, 3, 4, 5);
        var e = Assert.Throws<MedDeblurException>(() => new DeblurLoss().Compute(a, b));
        Assert.Contains("[1, 3, 4, 4]", e.Message);
        Assert.Contains("[1, 3, 4, 5]", e.Message);
    }
}
