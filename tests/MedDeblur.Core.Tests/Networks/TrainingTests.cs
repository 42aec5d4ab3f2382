using MedDeblur.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Networks;

public class TrainingTests
{
    public static TheoryData<string> Names => new(NetworkRegistry.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void One_backward_pass_reaches_every_parameter(string name)
    {
        using var threads = new DefaultThreadsScope(); // as kit commands run (issue 8: zero gradients showed with two threads, not one)
        // Squeeze-excitation without reduction here: at smoke widths the SE hidden layer has 1-2 ReLU units, which can
        // all be inactive for a whole batch (a legitimately zero gradient of fc.0, not a broken graph).
        using var net = NetworkRegistry.Create(name, TestImages.Smoke with { SeReduction = 1 });
        net.train();
        using var sharp = TestImages.Sharp(31, 2, 32, 32);
        using var blurred = TestImages.Blur(sharp);
        var loss = new DeblurLoss(LossKind.Mse, multiScale: true);
        var outputs = net.ForwardScales(blurred);
        using var value = loss.Compute(outputs, sharp);
        value.backward();
        foreach (var o in outputs) o.Dispose();
        foreach (var (key, p) in net.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name}: {key} has no gradient");
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name}: {key} has an all-zero gradient");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_short_adam_run_on_blurred_images_lowers_the_loss(string name)
    {
        using var net = NetworkRegistry.Create(name, TestImages.Smoke, seed: 1);
        net.train();
        using var sharp = TestImages.Sharp(32, 4, 32, 32);
        using var blurred = TestImages.Blur(sharp);
        using var optimizer = optim.Adam(net.parameters(), lr: 3e-3);
        var loss = new DeblurLoss(LossKind.Mse);
        var history = new List<float>();
        for (int step = 0; step < 30; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var value = loss.Compute(net.call(blurred), sharp);
            value.backward();
            optimizer.step();
            history.Add(value.item<float>());
        }
        float first = history[0], last = history.TakeLast(3).Average();
        Assert.All(history, v => Assert.True(float.IsFinite(v)));
        Assert.True(last < 0.5f * first, $"{name}: loss {first:G4} -> {last:G4} ({string.Join(", ", history.Select(v => v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)))})");
    }

    [Fact]
    public void Forward_in_a_loop_keeps_the_live_tensor_count_flat()
    {
        using var net = NetworkRegistry.Create("meddeblur", TestImages.Smoke);
        net.eval();
        using var x = TestImages.Random(33, 1, 3, 37, 53);
        using var _ = no_grad();
        long Live() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        net.call(x).Dispose();
        long before = Live();
        for (int i = 0; i < 5; i++) net.call(x).Dispose();
        Assert.Equal(before, Live());
    }
}
