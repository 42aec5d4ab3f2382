using System.Globalization;
using System.Text.Json.Nodes;
using MedDeblur.Blur;
using MedDeblur.Data;
using MedDeblur.Display;
using MedDeblur.Evaluation;
using MedDeblur.Networks;
using MedDeblur.Training;

namespace MedDeblur.Reproduction;

/// <summary>What the evaluation stage produced.</summary>
/// <param name="Comparison">Table 2.</param>
/// <param name="Ablation">Table 3.</param>
/// <param name="ComparisonColumns">The blind rows of Table 2 (the blurry input first): the columns of Figure 5.</param>
/// <param name="AblationColumns">The blurry input and the ablation variants: the columns of Figure 8.</param>
/// <param name="Shown">The test images of the qualitative figures: (row label, relative path of the restored PNG).</param>
/// <param name="Psnr">PSNR of every figure column on every shown image (method → image → dB).</param>
public sealed record EvaluationOutput(ResultsTable Comparison, ResultsTable Ablation, IReadOnlyList<string> ComparisonColumns,
    IReadOnlyList<string> AblationColumns, IReadOnlyList<(string RowLabel, string RelativePath)> Shown,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Psnr)
{
    /// <summary>The PSNR of <paramref name="method"/> on <paramref name="image"/>, or null.</summary>
    public double? PsnrOf(string method, string image) =>
        Psnr.TryGetValue(method, out var images) && images.TryGetValue(image, out double psnr) ? psnr : null;

    internal JsonObject ToJson() => new()
    {
        ["comparison"] = Comparison.ToJson(),
        ["ablation"] = Ablation.ToJson(),
        ["comparisonColumns"] = new JsonArray([.. ComparisonColumns.Select(c => (JsonNode?)c)]),
        ["ablationColumns"] = new JsonArray([.. AblationColumns.Select(c => (JsonNode?)c)]),
        ["shown"] = new JsonArray([.. Shown.Select(s => (JsonNode?)new JsonArray(s.RowLabel, s.RelativePath))]),
        ["psnr"] = new JsonObject(Psnr.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)new JsonObject(m.Value.Select(i => KeyValuePair.Create(i.Key, (JsonNode?)i.Value)))))),
    };

    internal static EvaluationOutput FromJson(JsonNode? json)
    {
        ArgumentNullException.ThrowIfNull(json);
        static string[] Strings(JsonNode? a) => a?.AsArray().Select(n => n!.GetValue<string>()).ToArray() ?? [];
        return new EvaluationOutput(ResultsTable.FromJson(json["comparison"]!), ResultsTable.FromJson(json["ablation"]!),
            Strings(json["comparisonColumns"]), Strings(json["ablationColumns"]),
            json["shown"]!.AsArray().Select(s => (s![0]!.GetValue<string>(), s[1]!.GetValue<string>())).ToArray(),
            json["psnr"]!.AsObject().ToDictionary(m => m.Key,
                m => (IReadOnlyDictionary<string, double>)m.Value!.AsObject().ToDictionary(i => i.Key, i => i.Value!.GetValue<double>())));
    }
}

/// <summary>
/// Stage 2: evaluates every trained network, the blurry input and the oracle rows on identical inputs (the test split,
/// one fixed kernel per image), writes every restored image to <c>outputs/</c>, <c>tables/per_image.csv</c>, Table 2 and
/// Table 3.
/// </summary>
public static class EvaluateStage
{
    /// <summary>Stage name (record <c>stages/evaluate.json</c>).</summary>
    public const string Name = "evaluate";

    private const string SelfEnsembleNote = "Every network's restoration is the mean of its outputs on the image's 8 flips and quarter turns (geometric self-ensemble, evaluation.selfEnsemble; the paper evaluates one pass).";

    /// <summary>Evaluates (or reuses the evaluation of) the trained networks.</summary>
    public static EvaluationOutput Run(StageContext context, IReadOnlyList<TrainingResult> trainings) =>
        StageRecords.RunOrReuse(context, Name, TrainStage.Hash(context), () =>
        {
            var options = context.Options;
            var folder = context.Folder;
            var test = RunFolder.OpenDataset(options).Split(DatasetSplit.Test);
            using var methods = TrainStage.Methods(context, trainings, TrainStage.Models(context));
            int done = 0;
            string outputs = Path.Combine(folder.Root, "outputs");
            var evaluation = Evaluator.Run(test, methods.Methods, new MotionBlurSimulator(options.Blur),
                new EvaluationSettings { KernelSeed = options.Evaluation.KernelSeed, Conventions = options.MetricsConventions(), OutputFolder = outputs, MaxImageSize = options.Evaluation.MaxImageSize },
                image => context.Report(Name, image, (double)++done / test.Count));
            string perImage = folder.File("tables", "per_image.csv");
            AtomicFile.WriteAllText(perImage, evaluation.PerImageCsv());

            var oracles = methods.Methods.Where(m => m.KnowsKernel).Select(m => m.Name).ToArray();
            var comparisonColumns = new[] { "Blurry input" }.Concat(options.Reproduce.Comparison.Select(NetworkRegistry.DisplayName)).ToArray();
            var table2 = evaluation.Subset([.. comparisonColumns, .. oracles]).ComparisonTable(
                $"Table 2. Objective comparison on the test split ({test.Count} images; mean per modality, Average = mean of modality means)");
            if (BudgetNote(trainings, options.Reproduce.Comparison) is { } comparisonNote) table2.Notes.Add(comparisonNote);
            if (options.Evaluation.SelfEnsemble) table2.Notes.Add(SelfEnsembleNote);
            table2.Save(folder.File("tables"), "table2_comparison");
            var ablation = options.Reproduce.Ablation.Select(NetworkRegistry.Describe).ToArray();
            var table3 = evaluation.Subset(ablation.Select(n => n.DisplayName).ToArray()).AverageTable(
                "Table 3. Ablation: contribution of the scale-recurrent design and of RD-SAM (mean of modality means on the test split)",
                ablation.ToDictionary(n => n.DisplayName, n => n.AblationNote ?? n.Description));
            if (BudgetNote(trainings, options.Reproduce.Ablation) is { } ablationNote) table3.Notes.Add(ablationNote);
            if (options.Evaluation.SelfEnsemble) table3.Notes.Add(SelfEnsembleNote);
            table3.Save(folder.File("tables"), "table3_ablation");

            var ablationColumns = new[] { "Blurry input" }.Concat(ablation.Select(n => n.DisplayName)).ToArray();
            var shown = ReproducePipeline.ShownImages(test, options.Evaluation.FigureImages);
            var psnr = comparisonColumns.Union(ablationColumns).ToDictionary(m => m, m => (IReadOnlyDictionary<string, double>)shown
                .Select(s => (s.RelativePath, Score: evaluation.Score(m, s.RelativePath)?.Psnr)).Where(s => s.Score is not null)
                .ToDictionary(s => s.RelativePath, s => s.Score!.Value));
            var output = new EvaluationOutput(table2, table3, comparisonColumns, ablationColumns, shown, psnr);
            return (output, [perImage, outputs, .. new[] { "table2_comparison", "table3_ablation" }.Select(t => Path.Combine(folder.Root, "tables", t + ".csv"))]);
        }, output => output.ToJson(), EvaluationOutput.FromJson);

    /// <summary>A note that the rows of <paramref name="models"/> do not share one training budget: when some came from
    /// shipped weights and others were trained in the run, or when two or more came from shipped weights (each trained
    /// with its own budget); null when every row was trained in this run or only one row is shipped.</summary>
    private static string? BudgetNote(IReadOnlyList<TrainingResult> trainings, IEnumerable<string> models)
    {
        var rows = models.Select(m => trainings.First(t => t.Model == m)).ToArray();
        var shipped = rows.Where(t => t.Source is not null).ToArray();
        var trained = rows.Where(t => t.Source is null).ToArray();
        string Names(IEnumerable<TrainingResult> ts) => string.Join(", ", ts.Select(t => NetworkRegistry.DisplayName(t.Model)));
        string Budget(TrainingResult t) => NetworkRegistry.DisplayName(t.Model) + " step " + t.Step.ToString(CultureInfo.InvariantCulture) +
            (t.ShippedCpuMinutes is { } minutes ? ", " + minutes.ToString("0", CultureInfo.InvariantCulture) + " CPU min" : "");
        if (trained.Length == 0 && shipped.Length > 1)
            return $"Own budgets: every row from the kit's shipped weights, each network trained with its own budget ({string.Join("; ", shipped.Select(Budget))}; weights/README.md).";
        if (shipped.Length == 0 || trained.Length == 0) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"Unequal training: {Names(shipped)} from the kit's shipped weights (step {string.Join("/", shipped.Select(t => t.Step))}), " +
            $"{Names(trained)} trained in this run ({trained.Max(t => t.Step)} steps); train all with one budget to compare them fairly.");
    }
}
