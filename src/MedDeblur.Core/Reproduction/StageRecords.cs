using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedDeblur.Configuration;
using MedDeblur.Training;

namespace MedDeblur.Reproduction;

/// <summary>Steps of a stage that counts them (a network's or the U-Net's training).</summary>
/// <param name="Step">Steps done.</param>
/// <param name="Total">Steps of the stage.</param>
public sealed record StepProgress(int Step, int Total);

/// <summary>A step of the pipeline for progress display.</summary>
/// <param name="Stage">e.g. "train meddeblur", "evaluate", "profile".</param>
/// <param name="Detail">Free text for people (loss, image name, ...); never parsed.</param>
/// <param name="Fraction">Progress of the stage in [0,1], if known.</param>
public sealed record ReproduceProgress(string Stage, string Detail, double? Fraction)
{
    /// <summary>The steps done, for stages that train.</summary>
    public StepProgress? Steps { get; init; }

    /// <summary>True when the stage was skipped: its outputs exist for the same options.</summary>
    public bool Skipped { get; init; }
}

/// <summary>What every stage of a reproduce run works with.</summary>
/// <param name="Options">The run's options (validated).</param>
/// <param name="Folder">The run folder.</param>
/// <param name="Progress">Progress callback, or null.</param>
/// <param name="Cancellation">Stops training between steps.</param>
public sealed record StageContext(RunOptions Options, RunFolder Folder, Action<ReproduceProgress>? Progress, CancellationToken Cancellation)
{
    /// <summary>The folder of shipped weights (null: <see cref="Weights.ShippedWeights.Root"/>).</summary>
    public string? WeightsFolder { get; init; }

    /// <summary>Reports progress of <paramref name="stage"/>.</summary>
    public void Report(string stage, string detail, double? fraction = null, StepProgress? steps = null) =>
        Progress?.Invoke(new ReproduceProgress(stage, detail, fraction) { Steps = steps });
}

/// <summary>The record of a finished stage, <c>stages/NAME.json</c> in the run folder.</summary>
/// <param name="Stage">Stage name.</param>
/// <param name="OptionsHash">SHA-256 of the option sections the stage depends on.</param>
/// <param name="FinishedUtc">When it finished.</param>
/// <param name="Seconds">Its wall time.</param>
/// <param name="Outputs">The files it wrote, relative to the run folder.</param>
/// <param name="Result">Its typed output as JSON.</param>
public sealed record StageRecord(string Stage, string OptionsHash, DateTime FinishedUtc, double Seconds, IReadOnlyList<string> Outputs, JsonNode? Result);

/// <summary>
/// Runs a stage unless its record says it finished with the same options and its outputs are all there; then it returns
/// the recorded output instead.
/// </summary>
public static class StageRecords
{
    /// <summary>SHA-256 of the <paramref name="sections"/> of <paramref name="options"/> (top-level JSON keys such as
    /// <c>training</c>); no sections = all of them.</summary>
    public static string Hash(RunOptions options, params string[] sections)
    {
        ArgumentNullException.ThrowIfNull(options);
        var json = options.ToJsonObject();
        var kept = new JsonObject();
        foreach (var (key, value) in json.OrderBy(p => p.Key, StringComparer.Ordinal))
            if (sections.Length == 0 || sections.Contains(key)) kept[key] = value?.DeepClone();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(kept.ToJsonString())));
    }

    /// <summary>SHA-256 of <paramref name="hash"/> followed by <paramref name="parts"/> (what a stage depends on besides
    /// its options, e.g. the files it reads).</summary>
    public static string Combine(string hash, IEnumerable<string> parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", parts.Prepend(hash)))));

    /// <summary>The record of <paramref name="stage"/> in <paramref name="folder"/>, or null when it has not finished.</summary>
    public static StageRecord? Read(RunFolder folder, string stage)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string path = folder.StagePath(stage);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<StageRecord>(File.ReadAllText(path), JsonDefaults.Options); }
        catch (JsonException) { return null; } // a damaged record: the stage runs again
    }

    /// <summary>
    /// The recorded output of <paramref name="stage"/> when it finished with <paramref name="hash"/> and its outputs exist
    /// (reported as skipped); otherwise runs <paramref name="run"/>, records its output and returns it.
    /// </summary>
    public static T RunOrReuse<T>(StageContext context, string stage, string hash, Func<(T Output, IReadOnlyList<string> Files)> run,
        Func<T, JsonNode?> toJson, Func<JsonNode?, T> fromJson)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(toJson);
        ArgumentNullException.ThrowIfNull(fromJson);
        var folder = context.Folder;
        if (Read(folder, stage) is { } record && record.OptionsHash == hash &&
            record.Outputs.All(o => File.Exists(Path.Combine(folder.Root, o)) || Directory.Exists(Path.Combine(folder.Root, o))))
        {
            context.Progress?.Invoke(new ReproduceProgress(stage, $"done earlier with the same options ({Path.GetRelativePath(folder.Root, folder.StagePath(stage))})", 1) { Skipped = true });
            return fromJson(record.Result);
        }
        var clock = Stopwatch.StartNew();
        var (output, files) = run();
        var relative = files.Select(f => Path.GetRelativePath(folder.Root, f).Replace('\\', '/')).ToArray();
        var written = new StageRecord(stage, hash, DateTime.UtcNow, Math.Round(clock.Elapsed.TotalSeconds, 3), relative, toJson(output));
        AtomicFile.WriteAllText(folder.File("stages", stage + ".json"), JsonSerializer.Serialize(written, JsonDefaults.Indented));
        return output;
    }
}
