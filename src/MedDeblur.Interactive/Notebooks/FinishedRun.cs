using MedDeblur.Configuration;
using MedDeblur.Networks;
using MedDeblur.Training;
using MedDeblur.Display;
using MedDeblur.Interactive;
using MedDeblur.Reporting;
using MedDeblur.Reproduction;
using Microsoft.Data.Analysis;

namespace MedDeblur.Notebooks;

/// <summary>
/// A finished reproduce run read back from its folder (what <c>meddeblur reproduce</c> or notebook 3 wrote): Tables
/// 2–4 and the per-image results as a <see cref="DataFrame"/>, so notebooks 3–6 reuse the command line's run instead of
/// training again.
/// </summary>
/// <remarks>A notebook view of <see cref="ReproduceResult.Load"/> with the run's options and the interactive charts.</remarks>
[TypeFormatterSource(typeof(HtmlFormatterSource))]
public sealed class FinishedRun : IHtmlDisplayable
{
    private FinishedRun(ReproduceResult result, RunOptions options)
    {
        Result = result;
        Options = options;
    }

    /// <summary>What the pipeline produced (<see cref="ReproduceResult.Load"/>).</summary>
    public ReproduceResult Result { get; }

    /// <summary>The options the run was made with (its options.json).</summary>
    public RunOptions Options { get; }

    /// <summary>The run folder.</summary>
    public string Folder => Result.OutputFolder;

    /// <summary>The report of the run.</summary>
    public string ReportPath => Result.ReportPath;

    /// <summary>Table 2.</summary>
    public ResultsTable Comparison => Result.Comparison;

    /// <summary>Table 3.</summary>
    public ResultsTable Ablation => Result.Ablation;

    /// <summary>Table 4.</summary>
    public ResultsTable Analysis => Result.Analysis;

    /// <summary>One row per method and test image: method, modality, image, kernel, psnr, ssim, deltaE, seconds.</summary>
    public DataFrame PerImage => perImage ??= Result.PerImage;

    private DataFrame? perImage;

    /// <summary>Whether <paramref name="folder"/> holds a finished run (its report stage finished).</summary>
    public static bool IsFinished(string folder) => File.Exists(RunFolder.At(folder).StagePath(ReproducePipeline.ReportStage));

    /// <summary>Reads a finished run (<see cref="ReproduceResult.Load"/>) with its options.</summary>
    /// <exception cref="MedDeblurException">The folder holds no finished run.</exception>
    public static FinishedRun Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var result = ReproduceResult.Load(folder);
        return new FinishedRun(result, RunFolder.At(result.OutputFolder).ReadOptions());
    }

    /// <summary>
    /// The reproduce run of <paramref name="run"/> (<see cref="NotebookRun.ReproduceFolder"/>): loaded when finished,
    /// else run (or continued) by the pipeline with an in-place progress display and the kernel's Stop button, then loaded.
    /// </summary>
    public static FinishedRun LoadOrReproduce(NotebookRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (IsFinished(run.ReproduceFolder)) return Load(run.ReproduceFolder);
        var progress = Kit.Progress($"reproduce ({run.Options.Name}) into {run.ReproduceFolder}");
        var result = ReproducePipeline.Run(run.Options, run.ReproduceFolder, Kit.Cancellation, p => progress.Report(p.Fraction ?? progress.Fraction, $"{p.Stage}: {p.Detail}"));
        progress.Done($"done in {Durations.Format(result.Duration)}; report: {result.ReportPath}");
        return Load(run.ReproduceFolder);
    }

    /// <summary>Mean PSNR, SSIM and DeltaE per method and modality, from <see cref="PerImage"/>.</summary>
    public DataFrame MeansByMethodAndModality()
    {
        var key = new StringDataFrameColumn("method_modality", Enumerable.Range(0, (int)PerImage.Rows.Count)
            .Select(i => $"{PerImage["method"][i]} | {PerImage["modality"][i]}"));
        var frame = PerImage.Clone();
        frame.Columns.Add(key);
        return frame.GroupBy("method_modality").Mean("psnr", "ssim", "deltaE").OrderBy("method_modality");
    }

    /// <summary>Parameters vs latency vs average PSNR of the run's networks (Table 4 and the per-image results).</summary>
    public Plotly.NET.GenericChart ParametersLatencyPsnrChart() =>
        Figures.InteractiveCharts.ParametersLatencyPsnr(InteractiveReportSections.ParametersLatencyPsnr(PerImage, Analysis));

    /// <summary>Per-image PSNR/SSIM/DeltaE gains over the blurry input per modality and Table 2 method.</summary>
    public Plotly.NET.GenericChart GainsChart() =>
        Figures.InteractiveCharts.GainsOverBlurryInput(PerImage, Options.Reproduce.Comparison.Select(NetworkRegistry.DisplayName).ToArray());

    /// <summary>The ablation variants' per-image PSNR gains.</summary>
    public Plotly.NET.GenericChart AblationChart() =>
        Figures.InteractiveCharts.Ablation(PerImage, Options.Reproduce.Ablation.Select(NetworkRegistry.DisplayName).ToArray());

    /// <inheritdoc />
    public string ToHtml() => $"<p>finished run {Html.Encode(Folder)} (preset {Html.Encode(Options.Name)}): {PerImage.Rows.Count} per-image rows; report {Html.Encode(ReportPath)}</p>";

    /// <inheritdoc />
    public override string ToString() => $"finished run {Folder} (preset {Options.Name}): {PerImage.Rows.Count} per-image rows; report {ReportPath}";
}
