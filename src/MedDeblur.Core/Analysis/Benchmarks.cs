using System.Diagnostics;
using MedDeblur.Blur;
using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Inference;
using MedDeblur.Metrics;
using MedDeblur.Networks;
using MedDeblur.Runtime;
using MedDeblur.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Analysis;

/// <summary>Training throughput of one network (the JSON of <c>meddeblur bench train</c>).</summary>
/// <param name="Model">Registry name.</param>
/// <param name="Preset">Preset whose widths were used.</param>
/// <param name="Batch">Images per step.</param>
/// <param name="Size">Square patch size.</param>
/// <param name="Steps">Timed steps.</param>
/// <param name="ImagesPerSecond">Batch / median step time.</param>
/// <param name="StepMsMedian">Median step time (ms).</param>
/// <param name="Params">Trainable parameters.</param>
/// <param name="PeakRssMb">Peak resident memory of the process (MiB).</param>
/// <param name="MallocTuned">Whether the glibc malloc settings were active.</param>
/// <param name="DenormalsFlushed">Whether denormal flushing was active.</param>
public sealed record TrainingBenchmark(string Model, string Preset, int Batch, int Size, int Steps,
    [property: System.Text.Json.Serialization.JsonPropertyName("images_per_s")] double ImagesPerSecond,
    double StepMsMedian, long Params, double PeakRssMb, bool MallocTuned, bool DenormalsFlushed);

/// <summary>One line of the benchmark report.</summary>
/// <param name="Name">What was measured.</param>
/// <param name="Value">The number.</param>
/// <param name="Unit">Its unit.</param>
/// <param name="Detail">How (sizes, runs).</param>
public sealed record BenchmarkResult(string Name, double Value, string Unit, string Detail);

/// <summary>
/// The kit's benchmarks (<c>meddeblur bench</c>): training throughput, inference latency, blur and metric throughput,
/// peak memory of tiled deblurring and memory over many training steps. Each figure is a median of repeated runs after
/// warm-up, measured in this process on the current device.
/// </summary>
public static class Benchmarks
{
    /// <summary>Median training-step time of <paramref name="model"/> at a preset's widths (random data, official Adam + MSE).</summary>
    public static TrainingBenchmark Train(string model, string preset, int batch, int size, int steps, Device device, int warmup = 1)
    {
        var options = Presets.Load(preset);
        using var network = NetworkRegistry.Create(model, options.Network, 0);
        network.to(device);
        var timing = ModelProfiler.MeasureTrainingStep(network, batch, size, warmup, steps);
        return new TrainingBenchmark(model, options.Name, batch, size, steps, batch / (timing.MedianMs / 1000), timing.MedianMs,
            network.ParameterCount, ProcessMemory.PeakResidentMiB(), MallocTuning.Applied, DenormalFlushing.Enabled);
    }

    /// <summary>Inference latency (median, ms) of a network at a preset's widths on one <paramref name="size"/>² image.</summary>
    public static BenchmarkResult Latency(string model, string preset, int size, Device device, int runs = 3)
    {
        var options = Presets.Load(preset);
        using var network = NetworkRegistry.Create(model, options.Network, 0);
        network.to(device);
        using var input = rand(1, 3, size, size).to(device);
        var timing = ModelProfiler.MeasureLatency(network, input, warmup: 1, runs: runs);
        return new BenchmarkResult($"inference latency {model} ({options.Name} widths)", timing.MedianMs, "ms", $"{size}x{size}, batch 1, median of {runs}");
    }

    /// <summary>Blur throughput in images/s for a batch of <paramref name="batch"/> images of <paramref name="size"/>² with the largest kernel (45).</summary>
    public static BenchmarkResult Blur(int batch, int size, Device device, int runs = 5)
    {
        var simulator = new MotionBlurSimulator();
        using var images = rand(batch, 3, size, size).to(device);
        var kernels = simulator.Sample(new Generator(1), batch).Select(k => k with { Length = 45 }).ToArray();
        double ms = Median(runs, () => { using var s = NewDisposeScope(); simulator.Apply(images, kernels); });
        return new BenchmarkResult("blur throughput", batch / (ms / 1000), "images/s", $"batch {batch} x 3 x {size}x{size}, kernel 45, median of {runs}");
    }

    /// <summary>Throughput of PSNR + SSIM + DeltaE together (paper conventions) in images/s.</summary>
    public static BenchmarkResult MetricThroughput(int batch, int size, Device device, int runs = 5)
    {
        using var a = rand(batch, 3, size, size).to(device);
        using var b = rand(batch, 3, size, size).to(device);
        double ms = Median(runs, () => ImageQuality.Measure(a, b));
        return new BenchmarkResult("metric throughput (PSNR+SSIM+DeltaE)", batch / (ms / 1000), "images/s", $"batch {batch} x 3 x {size}x{size}, median of {runs}");
    }

    /// <summary>
    /// Peak resident memory of this process while deblurring one <paramref name="size"/>² RGB image, tile by tile
    /// (<paramref name="tile"/> &gt; 0) or whole. Meaningful in a fresh process (<c>meddeblur bench deblur</c>): the
    /// malloc settings keep freed memory in the heap, so an earlier peak would hide this one.
    /// </summary>
    public static BenchmarkResult DeblurPeakMemory(string preset, int size, int tile, Device device)
    {
        var options = Presets.Load(preset);
        using var network = NetworkRegistry.Create("meddeblur", options.Network, 0);
        int tileSize = tile > 0 ? tile : size;
        var deblurrer = new Deblurrer(network, device, new TileOptions { TileSize = tileSize, Overlap = Math.Min(64, tileSize / 4) });
        using var image = rand(3, size, size);
        double before = ProcessMemory.ResidentMiB();
        var clock = Stopwatch.StartNew();
        using (var s = NewDisposeScope()) deblurrer.Deblur(image);
        return new BenchmarkResult($"peak RSS, {(tile > 0 ? $"tiled ({tile}, overlap 64)" : "whole-image")} deblurring of {size}x{size} ({options.Name} widths)",
            ProcessMemory.PeakResidentMiB(), "MiB", $"RGB, {clock.Elapsed.TotalSeconds:0.0} s; RSS before {before:0} MiB");
    }

    /// <summary>
    /// Resident memory after <paramref name="first"/> and after <paramref name="last"/> real training steps (the sample set,
    /// blurred on the fly, smoke widths so 1,000 steps take about a minute): flat memory means nothing accumulates.
    /// </summary>
    public static (BenchmarkResult First, BenchmarkResult Last) MemoryOverSteps(int first, int last, string workFolder)
    {
        var o = Presets.Load("smoke");
        var options = o with
        {
            Device = "cpu",
            Data = o.Data with { Root = SampleData.Root },
            // one step past the last measured one: the run's final validation and checkpoint come after the reading
            Training = o.Training with { Steps = last + 1, ValidateEvery = 0, CheckpointEvery = last + 1, LogEvery = 100 },
        };
        var rss = new Dictionary<int, double>();
        string folder = Path.Combine(workFolder, "memory-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var trainer = Trainer.Start(options, folder);
            trainer.Run(progress: new SynchronousProgress<TrainingProgress>(p => { if (p.Step == first || p.Step == last) rss[p.Step] = ProcessMemory.ResidentMiB(); }));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        string detail = $"smoke widths, batch {options.Training.BatchSize} x {options.Data.PatchSize}², sample set";
        return (new BenchmarkResult($"RSS at training step {first}", rss[first], "MiB", detail), new BenchmarkResult($"RSS at training step {last}", rss[last], "MiB", detail));
    }

    private static double Median(int runs, Action body)
    {
        body();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            body();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    }
}
