using System.Diagnostics;
using MedDeblur.Analysis;
using MedDeblur.Blur;
using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Display;
using MedDeblur.Evaluation;
using MedDeblur.Figures;
using MedDeblur.Networks;
using MedDeblur.Reporting;
using MedDeblur.Runtime;
using MedDeblur.Training;
using static TorchSharp.torch;

namespace MedDeblur.Reproduction;

/// <summary>
/// The <c>reproduce</c> pipeline: trains MedDeblur, its ablation variants and the baselines with one preset's budget
/// (<see cref="TrainStage"/>), evaluates them, the blurry input and the oracle rows on the test split with fixed kernels
/// (<see cref="EvaluateStage"/>: Tables 2 and 3), profiles them (<see cref="ProfileStage"/>: Table 4), runs the Section
/// 4.2 downstream experiment with Table 2's rows (<see cref="DownstreamStage"/>), draws the figures
/// (<see cref="FiguresStage"/>) and writes a self-contained report.html (the report stage). Each stage records its output
/// in <c>stages/NAME.json</c> and is skipped when it finished before with the same options and its files are there, so
/// re-running continues (unfinished trainings resume from their last checkpoint) and a finished run costs nothing; a
/// folder made with other options is refused. <see cref="ReproduceResult.Load"/> reads a finished folder back.
/// </summary>
public static class ReproducePipeline
{
    /// <summary>Stage name of the report (record <c>stages/report.json</c>).</summary>
    public const string ReportStage = "report";

    /// <summary>Runs the pipeline into <paramref name="outputFolder"/>.</summary>
    public static ReproduceResult Run(RunOptions options, string outputFolder, CancellationToken cancellation = default,
        Action<ReproduceProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Validate();
        var clock = Stopwatch.StartNew();
        var folder = new RunFolder(outputFolder);
        folder.Begin(options);
        var context = new StageContext(options, folder, progress, cancellation);

        var trainings = TrainStage.Run(context);
        var evaluation = EvaluateStage.Run(context, trainings);
        var analysis = ProfileStage.Run(context);
        var downstream = DownstreamStage.Run(context, trainings);
        var figures = FiguresStage.Run(context, trainings, evaluation);
        string report = StageRecords.RunOrReuse(context, ReportStage, StageRecords.Combine(StageRecords.Hash(options), [TrainStage.Hash(context)]), () =>
        {
            string path = WriteReport(context, trainings, evaluation, analysis, downstream, figures, clock);
            return (path, [path]);
        }, path => path, json => json!.GetValue<string>());
        return new ReproduceResult(folder.Root, report, evaluation.Comparison, evaluation.Ablation, analysis, trainings, clock.Elapsed)
        {
            Downstream = downstream.Table,
        };
    }

    /// <summary>report.html: the run's settings, the data, every table and figure, and the options.</summary>
    private static string WriteReport(StageContext context, IReadOnlyList<TrainingResult> trainings, EvaluationOutput evaluation, ResultsTable table4, DownstreamOutput downstream,
        FigureSet figures, Stopwatch clock)
    {
        var options = context.Options;
        context.Report(ReportStage, "report.html");
        string reportPath = context.Folder.File("report.html");
        var report = new HtmlReport($"MedDeblur.NET reproduction — preset '{options.Name}'")
            .Section("Run")
            .Paragraph(options.Description)
            .List([
                $"preset: {options.Name}; networks trained for {options.Training.Steps} steps of batch {options.Training.BatchSize} ({options.Data.Mode.ToString().ToLowerInvariant()} {options.Data.PatchSize}x{options.Data.PatchSize}), loss {options.Training.Loss}, Adam lr {options.Training.LearningRate}",
                $"network widths {string.Join("/", options.Network.Widths)}, {options.Network.BlocksPerStage} blocks per stage (paper: 32/64/128, 3)",
                "weights: " + string.Join("; ", trainings.Select(t => $"{NetworkRegistry.DisplayName(t.Model)} {t.Source ?? $"trained in this run ({t.Step} steps)"}")),
                options.Blur.Describe(),
                options.MetricsConventions().Describe(),
                $"device {TorchRuntime.ResolveDevice(options.Device)}, {TorchRuntime.Describe(options.Device)}",
                $"wall time {Durations.Format(clock.Elapsed)}",
            ])
            .Section("Data").Table(RunFolder.OpenDataset(options).Summary())
            .Section("Figure 4. Blur-sharp pairs").Figure(figures.Load("figure4_blur_sharp_pairs"))
            .Section("Table 2. Comparison").Table(evaluation.Comparison).Figure(figures.Load("figure5_comparison"))
            .Section("Section 4.2. Deblurring for computer-aided diagnosis");
        if (downstream.Table is null) report.Paragraph("Not run: data/downstream/colin27-ventricles was not found and downstream.root is not set (docs/downstream.md).");
        else
        {
            report.Table(downstream.Table);
            foreach (var (path, caption) in downstream.Figures) report.Figure(Figure.FromFile(path, caption));
        }
        report
            .Section("Table 3. Ablation").Table(evaluation.Ablation).Figure(figures.Load("figure8_ablation"))
            .Section("Table 4. Model analysis").Table(table4)
            .Section("Figure 9. Training progress").Figure(figures.Load("figure9_training_curves"));
        InteractiveReportSections.Append(report, EvaluationResults.ReadPerImageCsv(context.Folder.File("tables", "per_image.csv")),
            evaluation.ComparisonColumns, evaluation.AblationColumns.Skip(1).ToArray(), table4, context.Folder.File("outputs"), evaluation.Shown);
        report.Section("Options").Code(options.ToJson());
        report.Save(reportPath);
        return reportPath;
    }

    /// <summary>Figure 4 (<see cref="Figures.BlurPairsFigure.Build"/>; kept here for notebook code written against it).</summary>
    public static Figure BlurPairsFigure(ImageFolderDataset dataset, MotionBlurSimulator simulator, long kernelSeed) =>
        Figures.BlurPairsFigure.Build(dataset, simulator, kernelSeed);

    /// <summary>One test image per modality (the first <paramref name="perModality"/> by path) for the qualitative figures.</summary>
    public static IReadOnlyList<(string RowLabel, string RelativePath)> ShownImages(IReadOnlyList<DatasetItem> test, int perModality) =>
        test.GroupBy(i => i.Modality).SelectMany(g => g.Take(perModality)).Select(i => (i.Modality, Path.ChangeExtension(i.RelativePath, ".png"))).ToArray();

    /// <summary>
    /// Table 4: parameters, GMACs and latency of <paramref name="models"/> as configured by <paramref name="options"/>
    /// (at each of <see cref="ReproduceOptions.ProfileSizes"/>, median of <see cref="ReproduceOptions.LatencyRuns"/>
    /// runs after one warm-up), plus a last row with MedDeblur at the paper's widths (cost only).
    /// </summary>
    public static ResultsTable ModelAnalysisTable(RunOptions options, IReadOnlyList<string> models, Device device)
    {
        var sizes = options.Reproduce.ProfileSizes;
        var columns = new List<string> { "Network", "Size", "Parameters" };
        columns.AddRange(sizes.Select(s => $"GMACs {s}²"));
        columns.AddRange(sizes.Select(s => $"Latency {s}² (ms)"));
        var table = new ResultsTable($"Table 4. Model analysis on {device} (batch 1; MACs counted from the convolution and linear layers; latency = median of {options.Reproduce.LatencyRuns} runs after warm-up)", columns);
        var rows = models.Select(m => (Model: m, Label: NetworkRegistry.DisplayName(m), Options: options.Network))
            .Append(("meddeblur", "MedDeblur (paper widths)", new NetworkOptions()));
        foreach (var (model, label, network) in rows)
        {
            var profiles = sizes.Select(s => ModelProfiler.Profile(model, network, s, device, options.Reproduce.LatencyRuns, warmup: 1)).ToArray();
            var row = new List<object?> { label, NetworkRegistry.Describe(model).SizeNote(network), profiles[0].Parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) };
            row.AddRange(profiles.Select(p => (object?)p.Macs.GMacs));
            row.AddRange(profiles.Select(p => (object?)p.Latency?.MedianMs));
            table.Add([.. row]);
        }
        table.Notes.Add("The paper states 24.1 M trainable parameters; the official code has 8,028,917 (docs/architecture.md: 24.1 M ≈ weights + Adam's two moment buffers).");
        table.Notes.Add($"All rows but the last are the networks as trained with this preset ({string.Join("/", options.Network.Widths)}; baselines scaled by the preset); the last row is MedDeblur at the paper's widths, for cost only.");
        return table;
    }
}
