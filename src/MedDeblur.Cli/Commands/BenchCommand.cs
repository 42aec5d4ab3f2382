using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using MedDeblur.Analysis;
using MedDeblur.Reporting;
using MedDeblur.Runtime;

namespace MedDeblur.Cli.Commands;

/// <summary><c>meddeblur bench</c>: the kit's speed and memory figures; <c>meddeblur bench train</c>: one training-throughput figure.</summary>
public static class BenchCommand
{
    /// <summary>Creates the verb and its <c>train</c> sub-verb.</summary>
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var skipPaper = new Option<bool>("--skip-paper") { Description = "skip the paper-width training step (about 2 minutes on a 2-core CPU)" };
        var memorySteps = new Option<int>("--memory-steps") { Description = "training steps of the memory-over-time measurement", DefaultValueFactory = _ => 1000 };
        var command = new Command("bench", "Benchmarks: training images/s (quick and paper widths), inference latency, blur and metric throughput, peak memory of tiled deblurring, memory over training steps, effect of the malloc settings.")
        {
            json, device, skipPaper, memorySteps, TrainSubcommand(),
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var dev = TorchRuntime.ResolveDevice(parse.GetValue(device)!);
            var results = new List<BenchmarkResult>();
            void Add(BenchmarkResult r) { results.Add(r); Console.Error.WriteLine($"{r.Name}: {r.Value:0.##} {r.Unit} ({r.Detail})"); }
            void AddTrain(TrainingBenchmark t, string note = "") =>
                Add(new BenchmarkResult($"training {t.Model} ({t.Preset} widths){note}", t.ImagesPerSecond, "images/s",
                    $"batch {t.Batch} x {t.Size}x{t.Size}, median step {t.StepMsMedian:0} ms of {t.Steps}, {t.Params:N0} parameters"));

            AddTrain(Benchmarks.Train("meddeblur", "quick", 16, 128, 3, dev));
            if (!parse.GetValue(skipPaper)) AddTrain(Benchmarks.Train("meddeblur", "paper", 16, 128, 2, dev));
            Add(Benchmarks.Latency("meddeblur", "paper", 512, dev));
            Add(Benchmarks.Latency("meddeblur", "quick", 512, dev));
            Add(Benchmarks.Blur(16, 128, dev));
            Add(Benchmarks.Blur(1, 1024, dev));
            Add(Benchmarks.MetricThroughput(16, 128, dev));
            Add(Benchmarks.MetricThroughput(1, 1024, dev));
            Add(Benchmarks.TiledDeblurPeakMemory("quick", 2048, 512, dev));
            var (first, last) = Benchmarks.MemoryOverSteps(100, Math.Max(101, parse.GetValue(memorySteps)), Path.GetTempPath());
            Add(first);
            Add(last);
            foreach (var tuned in new[] { false, true })
            {
                var child = RunChild(tuned);
                AddTrain(child, tuned ? ", glibc malloc tuned (child process)" : ", glibc malloc default (child process)");
            }
            var table = new ResultsTable($"meddeblur bench on {dev} ({TorchRuntime.Describe(parse.GetValue(device)!)})", ["Benchmark", "Value", "Unit", "Details"]);
            foreach (var r in results) table.Add(r.Name, r.Value, r.Unit, r.Detail);
            Console.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(results, JsonDefaults.Options) : table.ToMarkdown());
        }));
        return command;
    }

    private static Command TrainSubcommand()
    {
        var model = new Option<string>("--model", "-m") { Description = "network name", DefaultValueFactory = _ => "meddeblur" };
        var preset = CommonOptions.Preset("paper");
        var batch = new Option<int>("--batch") { Description = "images per step", DefaultValueFactory = _ => 16 };
        var size = new Option<int>("--size") { Description = "square patch size", DefaultValueFactory = _ => 128 };
        var steps = new Option<int>("--steps") { Description = "timed steps (after one warm-up step)", DefaultValueFactory = _ => 3 };
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var command = new Command("train", "Training throughput of one network on random data (official Adam + MSE): images/s, median step time, parameters, peak memory.")
        {
            model, preset, batch, size, steps, json, device,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            if (parse.GetValue(steps) < 1) throw new ArgumentException($"--steps {parse.GetValue(steps)}: must be at least 1");
            var t = Benchmarks.Train(parse.GetValue(model)!, parse.GetValue(preset)!, parse.GetValue(batch), parse.GetValue(size), parse.GetValue(steps),
                TorchRuntime.ResolveDevice(parse.GetValue(device)!));
            Console.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["images_per_s"] = t.ImagesPerSecond, ["step_ms_median"] = t.StepMsMedian, ["params"] = t.Params, ["peak_rss_mb"] = t.PeakRssMb,
                    ["model"] = t.Model, ["preset"] = t.Preset, ["batch"] = t.Batch, ["size"] = t.Size, ["steps"] = t.Steps,
                    ["malloc_tuned"] = t.MallocTuned, ["denormals_flushed"] = t.DenormalsFlushed,
                })
                : $"{t.Model} ({t.Preset} widths, {t.Params:N0} parameters): {t.ImagesPerSecond:0.00} images/s, median step {t.StepMsMedian:0} ms at batch {t.Batch} x {t.Size}x{t.Size}, peak RSS {t.PeakRssMb:0} MiB");
        }));
        return command;
    }

    /// <summary>Runs <c>bench train</c> (quick widths, batch 16) in a child process with the malloc settings on or off.</summary>
    private static TrainingBenchmark RunChild(bool mallocTuned)
    {
        string self = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(BenchCommand).Assembly.Location);
        foreach (var a in new[] { "bench", "train", "--preset", "quick", "--batch", "16", "--size", "128", "--steps", "3", "--json" }) start.ArgumentList.Add(a);
        start.Environment["MEDDEBLUR_MALLOC_TUNING"] = mallocTuned ? "1" : "0";
        using var child = Process.Start(start) ?? throw new InvalidOperationException("cannot start a child process for the malloc benchmark");
        string output = child.StandardOutput.ReadToEnd();
        string error = child.StandardError.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0) throw new InvalidOperationException($"the malloc benchmark child failed: {error}");
        using var doc = JsonDocument.Parse(output);
        var r = doc.RootElement;
        return new TrainingBenchmark("meddeblur", "quick", 16, 128, 3, r.GetProperty("images_per_s").GetDouble(), r.GetProperty("step_ms_median").GetDouble(),
            r.GetProperty("params").GetInt64(), r.GetProperty("peak_rss_mb").GetDouble(), r.GetProperty("malloc_tuned").GetBoolean(), r.GetProperty("denormals_flushed").GetBoolean());
    }
}
