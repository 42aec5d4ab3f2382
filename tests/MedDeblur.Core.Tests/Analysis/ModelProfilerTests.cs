using MedDeblur.Analysis;
using MedDeblur.Networks;
using MedDeblur.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Analysis;

public class ModelProfilerTests
{
    private sealed class TwoLayer : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Conv2d conv;
        private readonly TorchSharp.Modules.ConvTranspose2d up;
        private readonly TorchSharp.Modules.Linear fc;

        public TwoLayer() : base(nameof(TwoLayer))
        {
            conv = nn.Conv2d(4, 6, 3, padding: 1, groups: 2);
            up = nn.ConvTranspose2d(6, 2, 5, stride: 2, padding: 2, output_padding: 1);
            fc = nn.Linear(2, 7);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var y = conv.call(conv.call(x[.., ..4]).narrow(1, 0, 4)); // the same conv used twice
            var z = up.call(y);
            return fc.call(z.mean([2, 3]));
        }
    }

    [Fact]
    public void Macs_follow_the_documented_per_layer_formulas_and_count_every_call()
    {
        TorchRuntime.Initialize();
        using var model = new TwoLayer();
        using var x = zeros(2, 4, 5, 7);
        var macs = ModelProfiler.CountMacs(model, x);
        long conv = 2 * (2 * 6 * 5 * 7 * (4 / 2) * 9);   // two calls: output elements x in/groups x k^2
        long transposed = 2 * 6 * 5 * 7 * (2 * 25);       // input elements x out/groups x k^2
        long linear = 2 * 7 * 2;                           // output elements x in_features
        Assert.Equal((conv, transposed, linear, 4), (macs.Conv2d, macs.ConvTranspose2d, macs.Linear, macs.Calls));
        Assert.Equal(2 * macs.GMacs, macs.GFlops, 12);
        Assert.True(model.training, "the training mode must be restored");
    }

    [Fact]
    public void Meddeblur_paper_macs_reproduce_the_notes_at_128_and_256()
    {
        // Notes 2.7: 19.60 GMACs at 128x128 and 78.38 at 256x256 (conv + linear, full 3-scale pass, batch 1).
        // The exact totals follow from the per-layer formulas (checked by hand in docs/architecture.md).
        using var net = NetworkRegistry.Create("meddeblur", NetworkOptions.Paper);
        var at128 = ModelProfiler.CountMacs(net, 128, 128);
        Assert.Equal(19_595_718_912, at128.Total);
        Assert.Equal(19.60, Math.Round(at128.GMacs, 2));
        var at256 = ModelProfiler.CountMacs(net, 256, 256);
        Assert.Equal(78_382_827_264, at256.Total);
        Assert.Equal(78.38, Math.Round(at256.GMacs, 2));
        // Linear layers are the squeeze-excitations: 3 scales x 2 blocks per width x 2 layers x C x C/16.
        Assert.Equal(3 * 2 * 2 * (32 * 2 + 64 * 4 + 128 * 8), at256.Linear);
    }

    [Fact]
    public void Latency_and_training_step_are_timed_after_warm_up()
    {
        using var net = NetworkRegistry.Create("dncnn", Smoke());
        using var x = zeros(1, 3, 32, 32);
        var latency = ModelProfiler.MeasureLatency(net, x, warmup: 1, runs: 3);
        Assert.Equal((3, 1), (latency.Runs, latency.Warmup));
        Assert.True(latency.MinMs > 0 && latency.MinMs <= latency.MedianMs && latency.MedianMs <= latency.MaxMs);
        using var before = net.parameters().First().clone();
        var step = ModelProfiler.MeasureTrainingStep(net, batch: 2, size: 16, warmup: 0, runs: 1);
        Assert.True(step.MedianMs > 0);
        Assert.False(net.parameters().First().allclose(before, rtol: 0, atol: 0), "a training step must update the weights");
    }

    [Fact]
    public void Profile_reports_parameters_macs_and_timings_of_a_registry_network()
    {
        // DnCNN at the smoke preset: F = 4 features, M = 2 middle layers, all 3x3 convs at 16x16 (no padding needed).
        // Parameters 3*4*9 + 4 + 2 * (4*4*9 + 2*4) + 4*3*9 = 524; MACs 16*16 * 9 * (3*4 + 2 * 4*4 + 4*3).
        var p = ModelProfiler.Profile("dncnn", Smoke(), 16, CPU, latencyRuns: 1, warmup: 0, trainingBatch: 2);
        Assert.Equal(524, p.Parameters);
        Assert.Equal(new MacCount(16 * 16 * 9 * (12 + 2 * 16 + 12), 0, 0, 4), p.Macs);
        Assert.NotNull(p.Latency);
        Assert.NotNull(p.TrainingStep);
        Assert.Equal((16, 16, "cpu", 2), (p.Size, p.PaddedSize, p.Device, p.TrainingBatch));
    }

    [Fact]
    public void Profile_at_a_size_that_is_not_a_multiple_reports_the_padded_size_it_counts()
    {
        // The 3-scale network pads 37 up to 48 (a multiple of 16): the MACs are exactly those of a 48x48 input.
        var odd = ModelProfiler.Profile("meddeblur", Smoke(), 37, CPU, latencyRuns: 0);
        var padded = ModelProfiler.Profile("meddeblur", Smoke(), 48, CPU, latencyRuns: 0);
        Assert.Equal((37, 48), (odd.Size, odd.PaddedSize));
        Assert.Equal(48, padded.PaddedSize);
        Assert.Equal(padded.Macs, odd.Macs);
        Assert.Null(odd.Latency);
    }

    [Fact]
    public void Trainable_parameters_skip_frozen_ones()
    {
        using var net = NetworkRegistry.Create("dncnn", Smoke());
        long all = ModelProfiler.TrainableParameters(net);
        var first = net.parameters().First();
        first.requires_grad = false;
        Assert.Equal(all - first.numel(), ModelProfiler.TrainableParameters(net));
    }

    private static NetworkOptions Smoke() => MedDeblur.Tests.Networks.TestImages.Smoke;
}
