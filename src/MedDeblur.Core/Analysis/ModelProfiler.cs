using System.Diagnostics;
using MedDeblur.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MedDeblur.Analysis;

/// <summary>
/// Multiply-accumulates of one forward pass, counted layer by layer. FLOPs are reported as 2 x MACs (one multiply and
/// one add per MAC); biases, activations, normalisation, pooling, interpolation and element-wise operations are not
/// counted (they are a small fraction and conventions differ).
/// </summary>
/// <param name="Conv2d">MACs of Conv2d layers: output elements x in_channels / groups x kh x kw.</param>
/// <param name="ConvTranspose2d">MACs of ConvTranspose2d layers, counted per input element: input elements x
/// out_channels / groups x kh x kw (the ptflops convention; it reproduces the notes' 19.60 / 78.38 GMACs).</param>
/// <param name="Linear">MACs of Linear layers: output elements x in_features.</param>
/// <param name="Calls">Layer calls that were counted (a layer used at three scales counts three times).</param>
public sealed record MacCount(long Conv2d, long ConvTranspose2d, long Linear, int Calls)
{
    /// <summary>All MACs.</summary>
    public long Total => Conv2d + ConvTranspose2d + Linear;

    /// <summary>Giga-MACs (1e9).</summary>
    public double GMacs => Total / 1e9;

    /// <summary>GFLOPs = 2 x GMACs.</summary>
    public double GFlops => 2 * GMacs;
}

/// <summary>Wall-clock timing of repeated runs after warm-up.</summary>
/// <param name="MedianMs">Median of the timed runs, milliseconds.</param>
/// <param name="MinMs">Fastest timed run.</param>
/// <param name="MaxMs">Slowest timed run.</param>
/// <param name="Runs">Timed runs.</param>
/// <param name="Warmup">Untimed warm-up runs before them.</param>
public sealed record Timing(double MedianMs, double MinMs, double MaxMs, int Runs, int Warmup);

/// <summary>What <c>meddeblur profile</c> reports for one network (the paper's Table 4, measured).</summary>
/// <param name="Model">Registry name.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="Macs">MACs of one forward pass of a batch of one <paramref name="Size"/> x <paramref name="Size"/> image
/// (all scales of the scale-recurrent networks). The network pads its input to a multiple of its size multiple first, so
/// these are the MACs of a <paramref name="PaddedSize"/> x <paramref name="PaddedSize"/> pass.</param>
/// <param name="Size">Square input size.</param>
/// <param name="PaddedSize">The size the network actually computes at: <paramref name="Size"/> rounded up to a multiple of
/// <see cref="DeblurNetwork.SizeMultiple"/> (e.g. 37 gives 48 for the 3-scale networks; equal to Size when it divides).</param>
/// <param name="Device">Device of the latency measurement.</param>
/// <param name="Latency">Inference latency (eval mode, no_grad, batch 1), or null when not measured.</param>
/// <param name="TrainingStep">One Adam training step (forward, MSE on the finest output, backward, update) at
/// <paramref name="TrainingBatch"/> images of <paramref name="Size"/>, or null when not measured.</param>
/// <param name="TrainingBatch">Batch of the training-step measurement (0 when not measured).</param>
public sealed record ModelProfile(
    string Model, long Parameters, MacCount Macs, int Size, int PaddedSize, string Device, Timing? Latency, Timing? TrainingStep,
    int TrainingBatch);

/// <summary>
/// Model analysis: trainable parameters, MACs counted from the layers that actually run (forward hooks on every
/// Conv2d, ConvTranspose2d and Linear, so shared weights used at several scales are counted at each use), and timing.
/// </summary>
public static class ModelProfiler
{
    /// <summary>Elements of every parameter that requires a gradient.</summary>
    public static long TrainableParameters(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
    }

    /// <summary>
    /// Counts the MACs of one forward pass of <paramref name="input"/> through <paramref name="model"/> (eval mode,
    /// no_grad; the training/eval mode is restored afterwards). The model's output is discarded.
    /// </summary>
    public static MacCount CountMacs(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        long conv = 0, transposed = 0, linear = 0;
        int calls = 0;
        var removers = new List<Action>();
        bool wasTraining = model.training;
        try
        {
            foreach (var (_, module) in model.named_modules())
            {
                switch (module)
                {
                    case Convolution c when c.transposed:
                        long outPerGroup = c.out_channels / c.groups, kernel = c.kernel_size.Aggregate(1L, (a, b) => a * b);
                        var t = c.register_forward_hook((_, x, y) => { transposed += x.numel() * outPerGroup * kernel; calls++; return y; });
                        removers.Add(t.remove);
                        break;
                    case Convolution c:
                        long inPerGroup = c.in_channels / c.groups, size = c.kernel_size.Aggregate(1L, (a, b) => a * b);
                        var h = c.register_forward_hook((_, _, y) => { conv += y.numel() * inPerGroup * size; calls++; return y; });
                        removers.Add(h.remove);
                        break;
                    case Linear l:
                        long inFeatures = l.in_features;
                        var g = l.register_forward_hook((_, _, y) => { linear += y.numel() * inFeatures; calls++; return y; });
                        removers.Add(g.remove);
                        break;
                }
            }
            model.eval();
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            model.call(input);
        }
        finally
        {
            foreach (var remove in removers) remove();
            model.train(wasTraining);
        }
        return new MacCount(conv, transposed, linear, calls);
    }

    /// <summary>
    /// MACs of one forward pass of a batch of one <paramref name="height"/> x <paramref name="width"/> image. The network pads
    /// H and W up to multiples of its <see cref="DeblurNetwork.SizeMultiple"/>, so this counts the padded pass.
    /// </summary>
    public static MacCount CountMacs(DeblurNetwork network, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var device = network.parameters().FirstOrDefault()?.device ?? CPU;
        using var input = zeros(1, 3, height, width, device: device);
        return CountMacs(network, input);
    }

    /// <summary>
    /// Median inference latency of <paramref name="model"/> on <paramref name="input"/> (which sets the device): eval mode,
    /// no_grad, <paramref name="warmup"/> untimed runs, then <paramref name="runs"/> timed ones (on CUDA the device is
    /// synchronised before the clock starts and before it stops). The training/eval mode is restored afterwards.
    /// </summary>
    public static Timing MeasureLatency(nn.Module<Tensor, Tensor> model, Tensor input, int warmup = 2, int runs = 5)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            return Time(warmup, runs, input.device, () =>
            {
                using var scope = NewDisposeScope();
                model.call(input);
            });
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// Median time of one training step of <paramref name="network"/> on a random batch of <paramref name="batch"/>
    /// images of <paramref name="size"/> x <paramref name="size"/> on the network's device: Adam (lr 1e-4, betas 0.9 and
    /// 0.99, the official settings), MSE of the finest output, backward, update. The weights are changed by the steps;
    /// profile a throw-away network.
    /// </summary>
    public static Timing MeasureTrainingStep(DeblurNetwork network, int batch, int size, int warmup = 1, int runs = 3, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var device = network.parameters().FirstOrDefault()?.device ?? CPU;
        using var generator = new Generator((ulong)seed);
        using var blurred = rand([batch, 3, size, size], generator: generator).to(device);
        using var sharp = rand([batch, 3, size, size], generator: generator).to(device);
        using var optimizer = optim.Adam(network.parameters(), lr: 1e-4, beta1: 0.9, beta2: 0.99);
        var loss = new DeblurLoss(LossKind.Mse);
        bool wasTraining = network.training;
        network.train();
        try
        {
            return Time(warmup, runs, device, () =>
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                loss.Compute(network.call(blurred), sharp).backward();
                optimizer.step();
            });
        }
        finally
        {
            network.train(wasTraining);
        }
    }

    /// <summary>
    /// Builds <paramref name="model"/> from <paramref name="options"/> through the registry, moves it to
    /// <paramref name="device"/> and reports parameters, MACs at <paramref name="size"/> x <paramref name="size"/>,
    /// latency (unless <paramref name="latencyRuns"/> is 0) and, when <paramref name="trainingBatch"/> is positive, the
    /// time of a training step at that batch. <see cref="ModelProfile.PaddedSize"/> reports the size the network computes at
    /// when <paramref name="size"/> is not a multiple of its <see cref="DeblurNetwork.SizeMultiple"/>.
    /// </summary>
    public static ModelProfile Profile(string model, NetworkOptions options, int size, Device device,
        int latencyRuns = 5, int warmup = 2, int trainingBatch = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(latencyRuns);
        ArgumentOutOfRangeException.ThrowIfNegative(trainingBatch);
        using var network = NetworkRegistry.Create(model, options);
        network.to(device);
        long parameters = TrainableParameters(network);
        int multiple = network.SizeMultiple, paddedSize = (size + multiple - 1) / multiple * multiple;
        var macs = CountMacs(network, size, size);
        Timing? latency = null, step = null;
        if (latencyRuns > 0)
        {
            using var input = rand(1, 3, size, size).to(device);
            latency = MeasureLatency(network, input, warmup, latencyRuns);
        }
        if (trainingBatch > 0)
            step = MeasureTrainingStep(network, trainingBatch, size, warmup: Math.Min(warmup, 1), runs: Math.Max(1, Math.Min(latencyRuns, 3)));
        return new ModelProfile(network.RegistryName, parameters, macs, size, paddedSize, device.ToString(), latency, step, trainingBatch);
    }

    private static Timing Time(int warmup, int runs, Device device, Action body)
    {
        for (int i = 0; i < warmup; i++) body();
        var times = new double[runs];
        bool synchronize = device.type == DeviceType.CUDA;
        for (int i = 0; i < runs; i++)
        {
            if (synchronize) cuda.synchronize(); // CUDA runs asynchronously: start with an idle device ...
            var clock = Stopwatch.StartNew();
            body();
            if (synchronize) cuda.synchronize(); // ... and stop the clock when the run has finished on it
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        double median = runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
        return new Timing(median, times[0], times[^1], runs, warmup);
    }
}
