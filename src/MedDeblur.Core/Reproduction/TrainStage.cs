using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedDeblur.Configuration;
using MedDeblur.Evaluation;
using MedDeblur.Inference;
using MedDeblur.Runtime;
using MedDeblur.Training;
using MedDeblur.Weights;

namespace MedDeblur.Reproduction;

/// <summary>
/// Stage 1: the trained networks of the comparison and the ablation. A network the kit ships weights for
/// (<see cref="Shipped"/>) takes them, checked against their SHA-256 (<c>shipped/MODEL</c>); the others are trained with
/// the preset's budget in <c>runs/MODEL</c>, an unfinished run resumed from its last checkpoint, a finished one reused.
/// </summary>
public static class TrainStage
{
    /// <summary>Stage name (record <c>stages/train.json</c>).</summary>
    public const string Name = "train";

    /// <summary>The option sections the trained networks depend on.</summary>
    public static readonly string[] Sections = ["data", "blur", "network", "training", "evaluation", "reproduce"];

    /// <summary>The networks a run trains: the comparison's, then the ablation's (each once).</summary>
    public static IReadOnlyList<string> Models(StageContext context) =>
        context.Options.Reproduce.Comparison.Concat(context.Options.Reproduce.Ablation).Distinct().ToArray();

    /// <summary>
    /// The shipped weights the run uses instead of training, by network: with
    /// <see cref="Configuration.ReproduceOptions.UseShippedWeights"/> on and the embedded sample set as data, each network
    /// with an entry for this preset (<see cref="ShippedWeights.Find"/> in <see cref="StageContext.WeightsFolder"/>) whose
    /// checkpoint was trained with this run's network and blur options.
    /// </summary>
    public static IReadOnlyDictionary<string, (string ManifestPath, WeightsManifest Manifest)> Shipped(StageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var shipped = new SortedDictionary<string, (string, WeightsManifest)>(StringComparer.Ordinal);
        if (!options.Reproduce.UseShippedWeights || options.Data.Root is not null) return shipped;
        foreach (var model in Models(context))
        {
            if (ShippedWeights.Find(model, options.Name, context.WeightsFolder) is not { } entry) continue;
            string file = ShippedWeights.Beside(entry.ManifestPath, entry.Manifest.File);
            var header = Training.Checkpoint.ReadHeader(file);
            var trained = RunOptions.Parse(header.Options.ToJsonString(), file + " (header options)");
            if (header.Model == model && trained.DifferingSections(options, "network", "blur").Count == 0)
                shipped[model] = entry;
        }
        return shipped;
    }

    /// <summary>What the trained networks depend on, for this stage's record and the stages that use its networks: the
    /// option <see cref="Sections"/> (and <paramref name="moreSections"/>) and the SHA-256 of every shipped file used.</summary>
    public static string Hash(StageContext context, params string[] moreSections)
    {
        ArgumentNullException.ThrowIfNull(context);
        string hash = StageRecords.Hash(context.Options, [.. Sections, .. moreSections]);
        var shipped = Shipped(context);
        return shipped.Count == 0 ? hash : StageRecords.Combine(hash, shipped.Select(e => $"{e.Key} {e.Value.Manifest.Sha256}"));
    }

    /// <summary>Trains (or reuses, or takes from the shipped weights) every network; returns each one's result.</summary>
    public static IReadOnlyList<TrainingResult> Run(StageContext context) =>
        StageRecords.RunOrReuse(context, Name, Hash(context), () =>
        {
            var shipped = Shipped(context);
            var trainings = new List<TrainingResult>();
            foreach (var model in Models(context))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                if (shipped.TryGetValue(model, out var entry))
                {
                    var result = UseShipped(context.Folder.ShippedRunPath(model), model, entry.ManifestPath, entry.Manifest);
                    context.Report($"train {model}", result.Source!, 1, new StepProgress(1, 1));
                    trainings.Add(result);
                    continue;
                }
                using var trainer = Trainer.StartOrResume(context.Options with { Model = model }, context.Folder.NetworkRunPath(model));
                var trained = trainer.Run(context.Cancellation, new SynchronousProgress<TrainingProgress>(p => context.Report($"train {model}",
                    p.Describe(), (double)p.Step / p.TotalSteps, new StepProgress(p.Step, p.TotalSteps))));
                if (trained.Cancelled) throw new OperationCanceledException($"reproduce was cancelled while training {model}; run it again to continue");
                trainings.Add(trained);
            }
            return (trainings, trainings.Select(Checkpoint).ToArray());
        }, ToJson, FromJson);

    /// <summary>
    /// Puts a shipped entry into <paramref name="folder"/> after checking its SHA-256: the weights and the manifest under
    /// their shipped names, and the log of the training run that made them (<c>log.jsonl</c>, for Figure 9) when the
    /// manifest names one, so that the reproduce folder holds everything it reports.
    /// </summary>
    private static TrainingResult UseShipped(string folder, string model, string manifestPath, WeightsManifest manifest)
    {
        string source = ShippedWeights.Verify(manifestPath, manifest);
        string weights = Path.Combine(folder, manifest.File);
        AtomicFile.WriteAllBytes(weights, File.ReadAllBytes(source));
        AtomicFile.WriteAllBytes(Path.Combine(folder, Path.GetFileName(manifestPath)), File.ReadAllBytes(manifestPath));
        string? log = manifest.TrainingLog is { } relative ? ShippedWeights.Beside(manifestPath, relative) : null;
        if (log is not null && File.Exists(log)) AtomicFile.WriteAllBytes(Path.Combine(folder, "log.jsonl"), File.ReadAllBytes(log));
        string description = string.Create(CultureInfo.InvariantCulture,
            $"shipped weights {manifest.File}: step {manifest.Step} of {manifest.TrainedSteps}, {manifest.CpuMinutes:0} CPU min, SHA-256 {manifest.Sha256[..12]}… ok");
        return new TrainingResult(Path.GetFullPath(folder), model, manifest.Step, Completed: true, Cancelled: false, weights, weights, [], 0) { Source = description, ShippedCpuMinutes = manifest.CpuMinutes };
    }

    /// <summary>
    /// The network <paramref name="model"/> of a reproduce folder: the checkpoint its train stage recorded (trained or
    /// shipped: the one Tables 2–4 used), else the trained checkpoint of an unfinished run in <c>runs/MODEL</c>; null
    /// when there is neither.
    /// </summary>
    public static string? CheckpointOf(RunFolder folder, string model)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var recorded = StageRecords.Read(folder, Name) is { } record ? FromJson(record.Result).FirstOrDefault(t => t.Model == model) : null;
        return recorded is not null && File.Exists(Checkpoint(recorded)) ? Checkpoint(recorded) : RunFolder.At(folder.NetworkRunPath(model)).TrainedCheckpoint();
    }

    /// <summary>The checkpoint a training result stands for: the best one, else the last.</summary>
    public static string Checkpoint(TrainingResult training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return training.BestCheckpoint ?? training.LastCheckpoint;
    }

    /// <summary>The trained networks of <paramref name="models"/> as evaluation rows after the blurry input, tiled (and
    /// self-ensembled) as the options say.</summary>
    public static DeblurMethodSet Methods(StageContext context, IReadOnlyList<TrainingResult> trainings, IEnumerable<string> models)
    {
        ArgumentNullException.ThrowIfNull(context);
        var evaluation = context.Options.Evaluation;
        var tiles = new TileOptions { TileSize = evaluation.TileSize, Overlap = evaluation.TileOverlap };
        var methods = new DeblurMethodSet(TorchRuntime.ResolveDevice(context.Options.Device));
        try
        {
            foreach (var model in models) methods.AddNetwork(Checkpoint(trainings.First(t => t.Model == model)), tiles: tiles, selfEnsemble: evaluation.SelfEnsemble);
            if (evaluation.Oracles) methods.AddOracles(evaluation.RichardsonLucyIterations);
        }
        catch
        {
            methods.Dispose();
            throw;
        }
        return methods;
    }

    internal static JsonNode? ToJson(IReadOnlyList<TrainingResult> trainings) => JsonSerializer.SerializeToNode(trainings, JsonDefaults.Options);

    internal static IReadOnlyList<TrainingResult> FromJson(JsonNode? json) => json.Deserialize<TrainingResult[]>(JsonDefaults.Options) ?? [];
}
