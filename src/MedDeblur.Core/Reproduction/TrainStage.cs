using System.Text.Json;
using System.Text.Json.Nodes;
using MedDeblur.Evaluation;
using MedDeblur.Inference;
using MedDeblur.Runtime;
using MedDeblur.Training;

namespace MedDeblur.Reproduction;

/// <summary>
/// Stage 1: trains every network of the comparison and the ablation with the same budget, one run folder each
/// (<c>runs/MODEL</c>); an unfinished run is resumed from its last checkpoint, a finished one reused.
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

    /// <summary>Trains (or reuses) every network; returns each one's training result.</summary>
    public static IReadOnlyList<TrainingResult> Run(StageContext context) =>
        StageRecords.RunOrReuse(context, Name, StageRecords.Hash(context.Options, Sections), () =>
        {
            var trainings = new List<TrainingResult>();
            foreach (var model in Models(context))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                using var trainer = Trainer.StartOrResume(context.Options with { Model = model }, context.Folder.NetworkRunPath(model));
                var result = trainer.Run(context.Cancellation, new SynchronousProgress<TrainingProgress>(p => context.Report($"train {model}",
                    p.Describe(), (double)p.Step / p.TotalSteps, new StepProgress(p.Step, p.TotalSteps))));
                if (result.Cancelled) throw new OperationCanceledException($"reproduce was cancelled while training {model}; run it again to continue");
                trainings.Add(result);
            }
            return (trainings, trainings.Select(Checkpoint).ToArray());
        }, ToJson, FromJson);

    /// <summary>The checkpoint a training result stands for: the best one, else the last.</summary>
    public static string Checkpoint(TrainingResult training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return training.BestCheckpoint ?? training.LastCheckpoint;
    }

    /// <summary>The trained networks of <paramref name="models"/> as evaluation rows after the blurry input, tiled as the
    /// options say.</summary>
    public static DeblurMethodSet Methods(StageContext context, IReadOnlyList<TrainingResult> trainings, IEnumerable<string> models)
    {
        ArgumentNullException.ThrowIfNull(context);
        var evaluation = context.Options.Evaluation;
        var tiles = new TileOptions { TileSize = evaluation.TileSize, Overlap = evaluation.TileOverlap };
        var methods = new DeblurMethodSet(TorchRuntime.ResolveDevice(context.Options.Device));
        try
        {
            foreach (var model in models) methods.AddNetwork(Checkpoint(trainings.First(t => t.Model == model)), tiles: tiles);
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
