using MedDeblur.Display;
using MedDeblur.Evaluation;
using MedDeblur.Training;
using Microsoft.Data.Analysis;

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

    /// <summary>Per-image results (method, modality, image, kernel, PSNR, SSIM, DeltaE, seconds), read from
    /// <c>tables/per_image.csv</c> on each access.</summary>
    public DataFrame PerImage => EvaluationResults.ReadPerImageCsv(Path.Combine(OutputFolder, "tables", "per_image.csv"));

    /// <summary>
    /// A finished reproduce run read back from its folder (the stage records in <c>stages/</c>), without training or
    /// evaluating anything; <see cref="Duration"/> is the wall time of the call that wrote the report.
    /// </summary>
    /// <exception cref="MedDeblurException">The folder holds no finished run (a stage has no record).</exception>
    public static ReproduceResult Load(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var run = RunFolder.At(folder);
        StageRecord Record(string stage) => StageRecords.Read(run, stage) ?? throw new MedDeblurException(
            $"{run.Root} holds no finished reproduce run: {Path.GetRelativePath(run.Root, run.StagePath(stage))} is missing (run reproduce into it first)");
        var evaluation = EvaluationOutput.FromJson(Record(EvaluateStage.Name).Result);
        var report = Record(ReproducePipeline.ReportStage);
        return new ReproduceResult(run.Root, report.Result!.GetValue<string>(), evaluation.Comparison, evaluation.Ablation,
            ResultsTable.FromJson(Record(ProfileStage.Name).Result!), TrainStage.FromJson(Record(TrainStage.Name).Result),
            TimeSpan.FromSeconds(report.Seconds))
        {
            Downstream = DownstreamOutput.FromJson(Record(DownstreamStage.Name).Result).Table,
        };
    }
}
