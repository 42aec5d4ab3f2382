using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MedDeblur.Analysis;
using MedDeblur.Configuration;
using MedDeblur.Networks;
using MedDeblur.Runtime;

namespace MedDeblur.Cli.Commands;

/// <summary>
/// <c>meddeblur profile --model NAME [--preset P] [--size 256] [--device auto] [--json]</c>: parameters, MACs/FLOPs
/// counted from the layers that run, median inference latency and, with <c>--train-batch N</c>, the time of a training
/// step (the paper's Table 4, measured).
/// </summary>
public static class ProfileCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m")
        {
            Description = $"network name, a comma-separated list, or 'all' ({string.Join(", ", NetworkRegistry.Names)})",
            Required = true,
        };
        var preset = new Option<string>("--preset", "-p")
        {
            Description = $"preset name ({string.Join(", ", Presets.Names)}) or path to a preset .json file",
            DefaultValueFactory = _ => "paper",
        };
        var size = new Option<int>("--size", "-s")
        {
            Description = "square input size in pixels; a network pads it up to a multiple of its size multiple (16 for the " +
                "3-scale networks, e.g. 37 -> 48) and MACs and latency are those of the padded size (reported as padded_size)",
            DefaultValueFactory = _ => 256,
        };
        var runs = new Option<int>("--runs") { Description = "timed inference runs (0: skip latency)", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "untimed warm-up runs", DefaultValueFactory = _ => 2 };
        var trainBatch = new Option<int>("--train-batch")
        {
            Description = "also time one Adam training step at this batch size (0: skip)",
            DefaultValueFactory = _ => 0,
        };
        var device = CommonOptions.Device();
        var json = CommonOptions.Json();
        var command = new Command("profile",
            "Count parameters and MACs (FLOPs = 2 x MACs) of a network and measure its inference latency.")
        {
            model, preset, size, runs, warmup, trainBatch, device, json,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            int side = parse.GetValue(size);
            if (side < 1) throw new ArgumentException($"--size {side}: must be at least 1.");
            int timedRuns = parse.GetValue(runs), warm = parse.GetValue(warmup), batch = parse.GetValue(trainBatch);
            if (timedRuns < 0) throw new ArgumentException($"--runs {timedRuns}: must be 0 or more.");
            if (warm < 0) throw new ArgumentException($"--warmup {warm}: must be 0 or more.");
            if (batch < 0) throw new ArgumentException($"--train-batch {batch}: must be 0 or more.");
            var loaded = Presets.Load(parse.GetValue(preset)!);
            var dev = TorchRuntime.ResolveDevice(parse.GetValue(device)!);
            foreach (string name in ModelNames(parse.GetValue(model)!))
            {
                var profile = ModelProfiler.Profile(name, loaded.Network, side, dev, timedRuns, warm, batch);
                Console.WriteLine(parse.GetValue(json)
                    ? JsonSerializer.Serialize(ProfileJson.From(profile, loaded.Name), JsonDefaults.Options)
                    : Describe(profile, loaded.Name));
            }
        }));
        return command;
    }

    /// <summary>Expands <c>all</c> and comma-separated lists; unknown names fail with the list of known ones.</summary>
    public static IReadOnlyList<string> ModelNames(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        if (string.Equals(argument.Trim(), "all", StringComparison.OrdinalIgnoreCase)) return NetworkRegistry.Names;
        var names = argument.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException("--model: give a network name.");
        foreach (var n in names) NetworkRegistry.Describe(n);
        return names.Select(n => n.ToLowerInvariant()).ToArray();
    }

    /// <summary>The text report of one profile.</summary>
    public static string Describe(ModelProfile p, string preset)
    {
        ArgumentNullException.ThrowIfNull(p);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        string padding = p.PaddedSize == p.Size ? "" : $" (padded to {p.PaddedSize}x{p.PaddedSize}: MACs and times are of the padded size)";
        text.AppendLine(c, $"{p.Model} (preset {preset}) on {p.Device}, {p.Size}x{p.Size} input{padding}, batch 1");
        text.AppendLine(c, $"  parameters     {p.Parameters:N0}");
        text.AppendLine(c, $"  MACs           {p.Macs.GMacs:F2} G (conv {p.Macs.Conv2d / 1e9:F2} G, transposed conv {p.Macs.ConvTranspose2d / 1e9:F2} G, linear {p.Macs.Linear / 1e9:F4} G; {p.Macs.Calls} layer calls)");
        text.AppendLine(c, $"  FLOPs          {p.Macs.GFlops:F2} G (2 x MACs)");
        if (p.Latency is { } l)
            text.AppendLine(c, $"  latency        {l.MedianMs:F1} ms median of {l.Runs} runs after {l.Warmup} warm-up (min {l.MinMs:F1}, max {l.MaxMs:F1})");
        if (p.TrainingStep is { } t)
            text.AppendLine(c, $"  training step  {t.MedianMs:F1} ms median of {t.Runs} at batch {p.TrainingBatch}x3x{p.Size}x{p.Size} (Adam, MSE; min {t.MinMs:F1}, max {t.MaxMs:F1})");
        return text.ToString().TrimEnd();
    }

    /// <summary>The <c>--json</c> record (snake_case names as documented, one object per line and model).</summary>
    public sealed record ProfileJson(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("preset")] string Preset,
        [property: JsonPropertyName("params")] long Params,
        [property: JsonPropertyName("gmacs")] double GMacs,
        [property: JsonPropertyName("gflops")] double GFlops,
        [property: JsonPropertyName("latency_ms")] double? LatencyMs,
        [property: JsonPropertyName("size")] int Size,
        [property: JsonPropertyName("padded_size")] int PaddedSize,
        [property: JsonPropertyName("device")] string Device,
        [property: JsonPropertyName("train_step_ms")] double? TrainStepMs,
        [property: JsonPropertyName("train_batch")] int? TrainBatch)
    {
        /// <summary>Builds the record from a profile.</summary>
        public static ProfileJson From(ModelProfile p, string preset)
        {
            ArgumentNullException.ThrowIfNull(p);
            return new ProfileJson(p.Model, preset, p.Parameters, Math.Round(p.Macs.GMacs, 4), Math.Round(p.Macs.GFlops, 4),
                p.Latency is null ? null : Math.Round(p.Latency.MedianMs, 2), p.Size, p.PaddedSize, p.Device,
                p.TrainingStep is null ? null : Math.Round(p.TrainingStep.MedianMs, 2),
                p.TrainingStep is null ? null : p.TrainingBatch);
        }
    }
}
