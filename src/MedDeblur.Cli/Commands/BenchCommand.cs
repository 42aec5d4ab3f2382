using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using MedDeblur.Analysis;
using MedDeblur.Display;
using MedDeblur.Runtime;

namespace MedDeblur.Cli.Commands;

/// <summary>
/// <c>meddeblur bench</c>: the kit's speed and memory figures. Memory figures and the malloc comparison run in child
/// processes (<c>bench deblur</c>, <c>bench memory</c>, <c>bench train</c>), because a process's peak memory and its
/// malloc settings cannot be reset.
/// </summary>
public static class BenchCommand
{
    /// <summary>Creates the verb and its sub-verbs.</summary>
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var skipPaper = new Option<bool>("--skip-paper") { Description = "skip the measurements at the paper's widths (about a minute on a 2-core CPU)" };
        var memorySteps = new Option<int>("--memory-steps") { Description = "training steps of the memory-over-time measurement", DefaultValueFactory = _ => 1000 };
        var command = new Command("bench", "Benchmarks: training images/s (quick and paper widths), inference latency, blur and metric throughput, peak memory of deblurring a 2048x2048 image with and without tiles, memory over training steps, effect of the malloc settings.")
        {
            json, device, skipPaper, memorySteps, TrainSubcommand(), DeblurSubcommand(), MemorySubcommand(),
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            string dev = parse.GetValue(device)!;
            var d = TorchRuntime.ResolveDevice(dev);
            bool paper = !parse.GetValue(skipPaper);
            var results = new List<BenchmarkResult>();
            void Add(BenchmarkResult r) { results.Add(r); Console.Error.WriteLine($"{r.Name}: {r.Value:0.##} {r.Unit} ({r.Detail})"); }
            void AddTrain(TrainingBenchmark t, string note = "") =>
                Add(new BenchmarkResult($"training {t.Model} ({t.Preset} widths){note}", t.ImagesPerSecond, "images/s",
                    $"batch {t.Batch} x {t.Size}x{t.Size}, median step {t.StepMsMedian:0} ms of {t.Steps}, {t.Params:N0} parameters, peak RSS {t.PeakRssMb:0} MiB"));

            AddTrain(Benchmarks.Train("meddeblur", "quick", 16, 128, 3, d));
            if (paper) AddTrain(Benchmarks.Train("meddeblur", "paper", 16, 128, 2, d));
            if (paper) Add(Benchmarks.Latency("meddeblur", "paper", 512, d));
            Add(Benchmarks.Latency("meddeblur", "quick", 512, d));
            Add(Benchmarks.Blur(16, 128, d));
            Add(Benchmarks.Blur(1, 1024, d));
            Add(Benchmarks.MetricThroughput(16, 128, d));
            Add(Benchmarks.MetricThroughput(1, 1024, d));
            foreach (var tile in new[] { 512, 0 })
                Add(Child<BenchmarkResult>(["bench", "deblur", "--size", "2048", "--tile", tile.ToString(), "--device", dev]));
            foreach (var r in Child<BenchmarkResult[]>(["bench", "memory", "--steps", parse.GetValue(memorySteps).ToString()])) Add(r);
            string mallocPreset = paper ? "paper" : "quick";
            foreach (var tuned in new[] { false, true })
            {
                var t = Child<TrainingBenchmark>(["bench", "train", "--preset", mallocPreset, "--batch", "16", "--size", "128", "--steps", "2", "--device", dev, "--json"],
                    new Dictionary<string, string> { ["MEDDEBLUR_MALLOC_TUNING"] = tuned ? "1" : "0" }, snakeCase: true);
                AddTrain(t, tuned ? ", glibc malloc tuned (fresh process)" : ", glibc malloc default (fresh process)");
            }
            var table = new ResultsTable($"meddeblur bench ({TorchRuntime.Describe(dev)})", ["Benchmark", "Value", "Unit", "Details"]);
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
                ? JsonSerializer.Serialize(t, SnakeCase)
                : $"{t.Model} ({t.Preset} widths, {t.Params:N0} parameters): {t.ImagesPerSecond:0.00} images/s, median step {t.StepMsMedian:0} ms at batch {t.Batch} x {t.Size}x{t.Size}, peak RSS {t.PeakRssMb:0} MiB");
        }));
        return command;
    }

    private static Command DeblurSubcommand()
    {
        var size = new Option<int>("--size") { Description = "square image size", DefaultValueFactory = _ => 2048 };
        var tile = new Option<int>("--tile") { Description = "tile size (0 = the whole image at once)", DefaultValueFactory = _ => 512 };
        var preset = CommonOptions.Preset("quick");
        var device = CommonOptions.Device();
        var command = new Command("deblur", "Peak memory of deblurring one large image in this (fresh) process, as JSON.") { size, tile, preset, device };
        command.SetAction(parse => CliRunner.Run(() => Console.WriteLine(JsonSerializer.Serialize(
            Benchmarks.DeblurPeakMemory(parse.GetValue(preset)!, parse.GetValue(size), parse.GetValue(tile), TorchRuntime.ResolveDevice(parse.GetValue(device)!)),
            JsonDefaults.Options))));
        return command;
    }

    private static Command MemorySubcommand()
    {
        var steps = new Option<int>("--steps") { Description = "training steps (memory is read at step 100 and at the last step)", DefaultValueFactory = _ => 1000 };
        var command = new Command("memory", "Resident memory at training step 100 and at the last step (smoke widths, sample set), as JSON.") { steps };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var (first, last) = Benchmarks.MemoryOverSteps(100, Math.Max(101, parse.GetValue(steps)), Path.GetTempPath());
            Console.WriteLine(JsonSerializer.Serialize(new[] { first, last }, JsonDefaults.Options));
        }));
        return command;
    }

    private static readonly JsonSerializerOptions SnakeCase = new(JsonDefaults.Options) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Runs a <c>meddeblur</c> sub-verb in a fresh process and parses its JSON output.</summary>
    private static T Child<T>(string[] arguments, IDictionary<string, string>? environment = null, bool snakeCase = false)
    {
        string self = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(BenchCommand).Assembly.Location);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"cannot start 'meddeblur {string.Join(' ', arguments)}'");
        var error = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0) throw new InvalidOperationException($"'meddeblur {string.Join(' ', arguments)}' failed: {error.Result}");
        return JsonSerializer.Deserialize<T>(output, snakeCase ? SnakeCase : JsonDefaults.Options)
            ?? throw new InvalidOperationException($"'meddeblur {string.Join(' ', arguments)}' printed no result");
    }
}
