using System.Text.Json.Nodes;
using MedDeblur.Blur;
using MedDeblur.Evaluation;
using MedDeblur.Figures;
using MedDeblur.Networks;
using MedDeblur.Training;

namespace MedDeblur.Reproduction;

/// <summary>The figures of a run: file name (without extension) → (path, caption).</summary>
/// <param name="Files">Every figure written.</param>
public sealed record FigureSet(IReadOnlyDictionary<string, (string Path, string Caption)> Files)
{
    /// <summary>The figure <paramref name="name"/> (e.g. <c>figure5_comparison</c>), loaded from its file.</summary>
    public Figure Load(string name) => Figure.FromFile(Files[name].Path, Files[name].Caption);

    internal JsonObject ToJson() =>
        new(Files.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)new JsonArray(f.Value.Path, f.Value.Caption))));

    internal static FigureSet FromJson(JsonNode? json) =>
        new(json!.AsObject().ToDictionary(f => f.Key, f => (f.Value![0]!.GetValue<string>(), f.Value[1]!.GetValue<string>())));
}

/// <summary>Stage 5: Figure 4 (blur-sharp pairs), 5 (comparison), 8 (ablation) and 9 (training curves).</summary>
public static class FiguresStage
{
    /// <summary>Stage name (record <c>stages/figures.json</c>).</summary>
    public const string Name = "figures";

    /// <summary>Draws (or reuses) the figures.</summary>
    public static FigureSet Run(StageContext context, IReadOnlyList<TrainingResult> trainings, EvaluationOutput evaluation) =>
        StageRecords.RunOrReuse(context, Name, TrainStage.Hash(context), () =>
        {
            var options = context.Options;
            context.Report(Name, "Figures 4, 5, 8 and 9");
            string outputs = Path.Combine(context.Folder.Root, "outputs"), sharp = Path.Combine(outputs, "sharp");
            (string, string)[] Columns(IEnumerable<string> names) => names.Select(n => (n, Path.Combine(outputs, Evaluator.Safe(n)))).ToArray();
            var figures = new Dictionary<string, Figure>
            {
                ["figure4_blur_sharp_pairs"] = BlurPairsFigure.Build(RunFolder.OpenDataset(options), new MotionBlurSimulator(options.Blur), options.Evaluation.KernelSeed),
                ["figure5_comparison"] = ComparisonFigure.Build("Figure 5. Qualitative comparison (PSNR per image; inset: most detailed region)",
                    Columns(evaluation.ComparisonColumns), sharp, evaluation.Shown, evaluation.PsnrOf),
                ["figure8_ablation"] = ComparisonFigure.Build("Figure 8. Ablation variants", Columns(evaluation.AblationColumns), sharp, evaluation.Shown, evaluation.PsnrOf),
                ["figure9_training_curves"] = TrainingCurves.Build(trainings.Where(t => File.Exists(Path.Combine(t.RunFolder, "log.jsonl")))
                    .Select(t => (NetworkRegistry.DisplayName(t.Model), t.RunFolder)).ToArray()),
            };
            var files = new Dictionary<string, (string Path, string Caption)>();
            foreach (var (name, figure) in figures)
            {
                string path = Path.Combine(context.Folder.Root, "figures", name + ".png");
                figure.Save(path);
                files[name] = (path, figure.Caption);
            }
            return (new FigureSet(files), files.Values.Select(f => f.Path).ToArray());
        }, set => set.ToJson(), FigureSet.FromJson);
}
