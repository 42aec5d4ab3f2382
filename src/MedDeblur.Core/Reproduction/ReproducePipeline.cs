using System.Diagnostics;
using MedDeblur.Analysis;
using MedDeblur.Blur;
using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Downstream;
using MedDeblur.Evaluation;
using MedDeblur.Figures;
using MedDeblur.Inference;
using MedDeblur.Networks;
using MedDeblur.Reporting;
using MedDeblur.Runtime;
using MedDeblur.Training;
using static TorchSharp.torch;

namespace MedDeblur.Reproduction;

/// <summary>What the pipeline produced.</summary>
/// <param name="OutputFolder">The run folder.</param>
/// <param name="ReportPath">report.html.</param>
/// <param name="Comparison">Table 2.</param>
/// <param name="Ablation">Table 3.</param>
/// <param name="Analysis">Table 4.</param>
/// <param name="Training">Every model's training result.</param>
/// <param name="Duration">Wall time.</param>
public sealed record ReproduceResult(string OutputFolder, string ReportPath, ResultsTable Comparison, ResultsTable Ablation,
    ResultsTable Analysis, IReadOnlyList<TrainingResult> Training, TimeSpan Duration)
{
    /// <summary>The Section 4.2 table (U-Net segmentation and detection on sharp, blurry and restored images).</summary>
    public ResultsTable? Downstream { get; init; }

    /// <summary>Per-image results (method, modality, image, kernel, PSNR, SSIM, DeltaE, seconds), also in tables/per_image.csv.</summary>
    public Microsoft.Data.Analysis.DataFrame? PerImage { get; init; }
}

/// <summary>A step of the pipeline for progress display.</summary>
/// <param name="Stage">e.g. "train meddeblur", "evaluate", "profile".</param>
/// <param name="Detail">Free text (loss, image name, ...).</param>
/// <param name="Fraction">Progress of the stage in [0,1], if known.</param>
public sealed record ReproduceProgress(string Stage, string Detail, double? Fraction);

/// <summary>
/// The <c>reproduce</c> pipeline: trains MedDeblur, its ablation variants and the baselines with one preset's budget,
/// evaluates them (and the blurry input and the oracle rows) on the test split with fixed kernels, profiles them, runs
/// the Section 4.2 downstream experiment with Table 2's rows (Downstream/DownstreamRun), and writes Tables 2–4 and
/// the downstream table (CSV + Markdown), the figures (blur-sharp pairs, qualitative comparisons with zoomed insets,
/// segmentation overlays and detection boxes, validation curves) and a self-contained report.html. Re-running
/// continues: finished trainings are reused and unfinished ones resumed from their last checkpoint (or started afresh
/// if they stopped before one); a folder made with other options is refused.
/// </summary>
public static class ReproducePipeline
{
    /// <summary>Runs the pipeline into <paramref name="outputFolder"/>.</summary>
    public static ReproduceResult Run(RunOptions options, string outputFolder, CancellationToken cancellation = default,
        Action<ReproduceProgress>? progress = null)
    {
        options = options.Validate();
        var clock = Stopwatch.StartNew();
        var folder = new RunFolder(outputFolder);
        folder.RefuseOtherOptions(options);
        AtomicFile.WriteAllText(folder.File("options.json"), options.ToJson());
        folder.WriteEnvironment(options.Device);
        var dataset = ImageFolderDataset.Open(options.Data.Root ?? SampleData.Root, options.Data.Split);
        var simulator = new MotionBlurSimulator(options.Blur);
        var device = TorchRuntime.ResolveDevice(options.Device);

        // 1. training, one run folder per network, same budget
        var models = options.Reproduce.Comparison.Concat(options.Reproduce.Ablation).Distinct().ToArray();
        var trainings = new List<TrainingResult>();
        foreach (var model in models)
        {
            cancellation.ThrowIfCancellationRequested();
            string runPath = Path.Combine(folder.Root, "runs", model);
            var runOptions = options with { Model = model };
            using var trainer = Trainer.StartOrResume(runOptions, runPath);
            var result = trainer.Run(cancellation, new SynchronousProgress<TrainingProgress>(p =>
                progress?.Invoke(new ReproduceProgress($"train {model}", $"step {p.Step}/{p.TotalSteps} loss {p.Loss:0.0000} {p.ImagesPerSecond:0.0} img/s", (double)p.Step / p.TotalSteps))));
            if (result.Cancelled) throw new OperationCanceledException($"reproduce was cancelled while training {model}; run it again to continue");
            trainings.Add(result);
        }

        // 2. evaluation of every network, the blurry input and the oracles on identical inputs
        var tiles = new TileOptions { TileSize = options.Evaluation.TileSize, Overlap = options.Evaluation.TileOverlap };
        var networks = new List<(string Model, DeblurNetwork Network)>();
        try
        {
            var methods = new List<IDeblurMethod> { new BlurryInput() };
            foreach (var t in trainings)
            {
                var (network, _) = Checkpoint.LoadNetwork(t.BestCheckpoint ?? t.LastCheckpoint);
                networks.Add((t.Model, network));
                methods.Add(new NetworkMethod(DisplayName(t.Model), new Deblurrer(network, device, tiles)));
            }
            if (options.Evaluation.Oracles) methods.AddRange([new WienerOracle(), new RichardsonLucyOracle(options.Evaluation.RichardsonLucyIterations)]);
            var test = dataset.Split(DatasetSplit.Test);
            int done = 0;
            string outputs = Path.Combine(folder.Root, "outputs");
            var evaluation = Evaluator.Run(test, methods, simulator,
                new EvaluationSettings { KernelSeed = options.Evaluation.KernelSeed, Conventions = options.MetricsConventions(), OutputFolder = outputs, MaxImageSize = options.Evaluation.MaxImageSize },
                image => progress?.Invoke(new ReproduceProgress("evaluate", image, (double)++done / test.Count)));
            AtomicFile.WriteAllText(folder.File("tables", "per_image.csv"), evaluation.PerImageCsv());

            var comparisonNames = new[] { "Blurry input" }.Concat(options.Reproduce.Comparison.Select(DisplayName))
                .Concat(methods.Where(m => m.KnowsKernel).Select(m => m.Name)).ToArray();
            var table2 = evaluation.Subset(comparisonNames).ComparisonTable(
                $"Table 2. Objective comparison on the test split ({test.Count} images; mean per modality, Average = mean of modality means)");
            table2.Save(folder.File("tables"), "table2_comparison");
            var ablationNames = options.Reproduce.Ablation.Select(DisplayName).ToArray();
            var table3 = evaluation.Subset(ablationNames).AverageTable(
                "Table 3. Ablation: contribution of the scale-recurrent design and of RD-SAM (mean of modality means on the test split)",
                options.Reproduce.Ablation.ToDictionary(DisplayName, AblationNote));
            table3.Save(folder.File("tables"), "table3_ablation");

            // 3. model analysis (Table 4)
            progress?.Invoke(new ReproduceProgress("profile", "parameters, MACs and latency", null));
            var table4 = ModelAnalysisTable(options, models, device);
            table4.Save(folder.File("tables"), "table4_model_analysis");

            // 4. figures
            var figures = Path.Combine(folder.Root, "figures");
            var figure4 = BlurPairsFigure(dataset, simulator, options.Evaluation.KernelSeed);
            figure4.Save(Path.Combine(figures, "figure4_blur_sharp_pairs.png"));
            var shown = ShownImages(test, options.Evaluation.FigureImages);
            double? Psnr(string method, string image) => evaluation.Score(method, image)?.Psnr;
            var figure5 = ComparisonFigure.Build("Figure 5. Qualitative comparison (PSNR per image; inset: most detailed region)",
                comparisonNames.Where(n => !methods.First(m => m.Name == n).KnowsKernel).Select(n => (n, Path.Combine(outputs, Evaluator.Safe(n)))).ToArray(),
                Path.Combine(outputs, "sharp"), shown, Psnr);
            figure5.Save(Path.Combine(figures, "figure5_comparison.png"));
            var figure8 = ComparisonFigure.Build("Figure 8. Ablation variants",
                new[] { "Blurry input" }.Concat(ablationNames).Select(n => (n, Path.Combine(outputs, Evaluator.Safe(n)))).ToArray(),
                Path.Combine(outputs, "sharp"), shown, Psnr);
            figure8.Save(Path.Combine(figures, "figure8_ablation.png"));
            var figure9 = TrainingCurves.Build(trainings.Select(t => (DisplayName(t.Model), t.RunFolder)).ToArray());
            figure9.Save(Path.Combine(figures, "figure9_training_curves.png"));

            // 5. Section 4.2: the U-Net on sharp, blurry and restored images (Table 2's rows), Figures 6 and 7;
            //    skipped (and said so in the report) when there are no images with masks to run it on
            DownstreamResult? downstream = null;
            if (options.Downstream.Root is not null || SegmentationDataset.TryFindEmbeddedRoot() is not null)
                downstream = DownstreamRun.Run(options, methods.Where(m => m is BlurryInput || comparisonNames.Contains(m.Name)).ToArray(), folder.Root,
                    p => progress?.Invoke(new ReproduceProgress("downstream", $"U-Net step {p.Step}/{p.TotalSteps} loss {p.Loss:0.0000}", (double)p.Step / p.TotalSteps)),
                    image => progress?.Invoke(new ReproduceProgress("downstream", $"segmented {image}", null)), cancellation);

            // 6. report
            string reportPath = folder.File("report.html");
            var report = new HtmlReport($"MedDeblur.NET reproduction — preset '{options.Name}'")
                .Section("Run")
                .Paragraph(options.Description)
                .List([
                    $"preset: {options.Name}; networks trained for {options.Training.Steps} steps of batch {options.Training.BatchSize} ({options.Data.Mode.ToString().ToLowerInvariant()} {options.Data.PatchSize}x{options.Data.PatchSize}), loss {options.Training.Loss}, Adam lr {options.Training.LearningRate}",
                    $"network widths {string.Join("/", options.Network.Widths)}, {options.Network.BlocksPerStage} blocks per stage (paper: 32/64/128, 3)",
                    options.Blur.Describe(),
                    options.MetricsConventions().Describe(),
                    $"device {device}, {TorchRuntime.Describe(options.Device)}",
                    $"wall time {Durations.Format(clock.Elapsed)}",
                ])
                .Section("Data").Table(dataset.Summary())
                .Section("Figure 4. Blur-sharp pairs").Figure(figure4)
                .Section("Table 2. Comparison").Table(table2).Figure(figure5)
                .Section("Section 4.2. Deblurring for computer-aided diagnosis");
            if (downstream is null) report.Paragraph("Not run: data/downstream/colin27-ventricles was not found and downstream.root is not set (docs/downstream.md).");
            else report.Table(downstream.Table).Figure(downstream.SegmentationFigure).Figure(downstream.DetectionFigure);
            report
                .Section("Table 3. Ablation").Table(table3).Figure(figure8)
                .Section("Table 4. Model analysis").Table(table4)
                .Section("Figure 9. Training progress").Figure(figure9);
            InteractiveReportSections.Append(report, evaluation.PerImage, comparisonNames, ablationNames, table4, outputs, shown);
            report.Section("Options").Code(options.ToJson());
            report.Save(reportPath);
            return new ReproduceResult(folder.Root, reportPath, table2, table3, table4, trainings, clock.Elapsed) { Downstream = downstream?.Table, PerImage = evaluation.PerImage };
        }
        finally
        {
            foreach (var (_, network) in networks) network.Dispose();
        }
    }

    /// <summary>Table label of a registry name.</summary>
    public static string DisplayName(string model) => NetworkRegistry.Describe(model).DisplayName;

    /// <summary>What an ablation variant adds, for Table 3.</summary>
    public static string AblationNote(string model) => model switch
    {
        "meddeblur-base" => "single scale, plain residual blocks, no RD-SAM",
        "meddeblur-sr" => "+ 3 scales with a ConvLSTM carried between them",
        "meddeblur" => "+ RD-SAM (residual dense blocks + spatial-asymmetric attention)",
        _ => NetworkRegistry.Describe(model).Description,
    };

    /// <summary>One test image per modality (the first <paramref name="perModality"/> by path) for the qualitative figures.</summary>
    public static IReadOnlyList<(string RowLabel, string RelativePath)> ShownImages(IReadOnlyList<DatasetItem> test, int perModality) =>
        test.GroupBy(i => i.Modality).SelectMany(g => g.Take(perModality)).Select(i => (i.Modality, Path.ChangeExtension(i.RelativePath, ".png"))).ToArray();

    /// <summary>Figure 4: one test image per modality, blurred with its fixed kernel, next to the sharp image and the kernel.</summary>
    public static Figure BlurPairsFigure(ImageFolderDataset dataset, MotionBlurSimulator simulator, long kernelSeed)
    {
        using var scope = NewDisposeScope();
        var rows = new List<IReadOnlyList<FigurePanel>>();
        var labels = new List<string>();
        foreach (var item in dataset.Split(DatasetSplit.Test).GroupBy(i => i.Modality).Select(g => g.First()))
        {
            using var image = Imaging.ImageIO.Read(item.FullPath);
            var (blurred, kernel) = simulator.ApplyFixed(image.Pixels, kernelSeed, item.RelativePath);
            rows.Add([
                new FigurePanel(blurred, "Blurry"),
                new FigurePanel(image.Pixels.alias(), "Sharp"),
                new FigurePanel(MotionKernel.ToImage(kernel), $"Kernel {kernel}"),
            ]);
            labels.Add(item.Modality);
        }
        return ImageGrid.Render(rows, new ImageGridOptions { CellSize = 200, Title = $"Figure 4. Blur-sharp pairs ({simulator.Options.Describe()})", RowLabels = labels });
    }

    private static string SizeNote(string model, NetworkOptions network) => model is "deepdeblur" or "dncnn" or "temimagenet"
        ? $"{network.Baselines.WidthMultiplier:0.###}x width, {network.Baselines.DepthMultiplier:0.###}x depth"
        : $"widths {string.Join("/", network.Widths)}, {network.BlocksPerStage} block(s)/stage";

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
        var rows = models.Select(m => (Model: m, Label: DisplayName(m), Options: options.Network))
            .Append(("meddeblur", "MedDeblur (paper widths)", new NetworkOptions()));
        foreach (var (model, label, network) in rows)
        {
            var profiles = sizes.Select(s => ModelProfiler.Profile(model, network, s, device, options.Reproduce.LatencyRuns, warmup: 1)).ToArray();
            var row = new List<object?> { label, SizeNote(model, network), profiles[0].Parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) };
            row.AddRange(profiles.Select(p => (object?)p.Macs.GMacs));
            row.AddRange(profiles.Select(p => (object?)p.Latency?.MedianMs));
            table.Add([.. row]);
        }
        table.Notes.Add("The paper states 24.1 M trainable parameters; the official code has 8,028,917 (docs/architecture.md: 24.1 M ≈ weights + Adam's two moment buffers).");
        table.Notes.Add($"All rows but the last are the networks as trained with this preset ({string.Join("/", options.Network.Widths)}; baselines scaled by the preset); the last row is MedDeblur at the paper's widths, for cost only.");
        return table;
    }
}
