using System.Text.Json.Nodes;
using MedDeblur.Display;
using MedDeblur.Downstream;
using MedDeblur.Training;

namespace MedDeblur.Reproduction;

/// <summary>What the downstream stage produced (nothing when there were no images with masks to run it on).</summary>
/// <param name="Table">The Section 4.2 table, or null when the experiment was not run.</param>
/// <param name="Figures">Figures 6 and 7: (path, caption).</param>
public sealed record DownstreamOutput(ResultsTable? Table, IReadOnlyList<(string Path, string Caption)> Figures)
{
    internal JsonObject ToJson() => new()
    {
        ["table"] = Table?.ToJson(),
        ["figures"] = new JsonArray([.. Figures.Select(f => (JsonNode?)new JsonArray(f.Path, f.Caption))]),
    };

    internal static DownstreamOutput FromJson(JsonNode? json) => new(
        json?["table"] is { } table ? ResultsTable.FromJson(table) : null,
        json?["figures"]?.AsArray().Select(f => (f![0]!.GetValue<string>(), f[1]!.GetValue<string>())).ToArray() ?? []);
}

/// <summary>
/// Stage 4, the paper's Section 4.2: the U-Net on sharp, blurry and restored test images (Table 2's rows), Figures 6 and
/// 7 (<see cref="DownstreamRun"/>); skipped, and said so in the report, when there are no images with masks.
/// </summary>
public static class DownstreamStage
{
    /// <summary>Stage name (record <c>stages/downstream.json</c>).</summary>
    public const string Name = "downstream";

    /// <summary>Runs (or reuses) the experiment with the trained networks of the comparison.</summary>
    public static DownstreamOutput Run(StageContext context, IReadOnlyList<TrainingResult> trainings) =>
        StageRecords.RunOrReuse(context, Name, TrainStage.Hash(context, "downstream"), () =>
        {
            var options = context.Options;
            if (options.Downstream.Root is null && SegmentationDataset.TryFindEmbeddedRoot() is null)
                return (new DownstreamOutput(null, []), []);
            using var methods = TrainStage.Methods(context, trainings, options.Reproduce.Comparison);
            var result = DownstreamRun.Run(options, methods.Methods, context.Folder.Root,
                p => context.Report(Name, $"U-Net step {p.Step}/{p.TotalSteps} loss {p.Loss:0.0000}", (double)p.Step / p.TotalSteps, new StepProgress(p.Step, p.TotalSteps)),
                image => context.Report(Name, $"segmented {image}"), context.Cancellation);
            string figures = Path.Combine(context.Folder.Root, "figures");
            var output = new DownstreamOutput(result.Table, [
                (Path.Combine(figures, "figure6_segmentation.png"), result.SegmentationFigure.Caption),
                (Path.Combine(figures, "figure7_detection.png"), result.DetectionFigure.Caption),
            ]);
            return (output, [Path.Combine(context.Folder.Root, "tables", "downstream_segmentation.csv"), .. output.Figures.Select(f => f.Path)]);
        }, output => output.ToJson(), DownstreamOutput.FromJson);
}
