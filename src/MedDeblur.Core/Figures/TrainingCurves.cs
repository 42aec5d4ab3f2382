using MedDeblur.Training;

namespace MedDeblur.Figures;

/// <summary>The paper's Figure 9: validation PSNR, SSIM and DeltaE over training steps (and the training loss), read from
/// the <c>log.jsonl</c> of one or more run folders.</summary>
public static class TrainingCurves
{
    /// <summary>Builds the figure; <paramref name="runs"/> are (legend label, run folder) pairs.</summary>
    public static Figure Build(IReadOnlyList<(string Label, string RunFolder)> runs)
    {
        var loss = new List<ChartSeries>();
        var psnr = new List<ChartSeries>();
        var ssim = new List<ChartSeries>();
        var deltaE = new List<ChartSeries>();
        foreach (var (label, runFolder) in runs)
        {
            string log = Path.Combine(runFolder, "log.jsonl");
            if (!File.Exists(log)) throw new MedDeblurException($"run folder {runFolder} has no log.jsonl");
            var records = JsonlLog.Read(log);
            var train = records.Where(r => (string?)r["kind"] == "train").ToArray();
            var val = records.Where(r => (string?)r["kind"] == "validation").ToArray();
            double[] Steps(IEnumerable<System.Text.Json.Nodes.JsonObject> rs) => rs.Select(r => (double)r["step"]!).ToArray();
            double[] Values(IEnumerable<System.Text.Json.Nodes.JsonObject> rs, string key) => rs.Select(r => (double)r[key]!).ToArray();
            loss.Add(new ChartSeries(label, Steps(train), Values(train, "loss")));
            psnr.Add(new ChartSeries(label, Steps(val), Values(val, "psnr")));
            ssim.Add(new ChartSeries(label, Steps(val), Values(val, "ssim")));
            deltaE.Add(new ChartSeries(label, Steps(val), Values(val, "deltaE")));
        }
        return Charts.Lines([
            new ChartPanel("Training loss", "step", "loss", loss),
            new ChartPanel("Validation PSNR", "step", "dB", psnr),
            new ChartPanel("Validation SSIM", "step", "SSIM", ssim),
            new ChartPanel("Validation DeltaE", "step", "DeltaE", deltaE),
        ], "Figure 9. Training loss and validation metrics over training steps", 360, 280);
    }
}

/// <summary>One run of a learning-curve comparison: how much the network beats the blurry input, against CPU time.</summary>
/// <param name="Label">Legend label (the run folder's name unless given).</param>
/// <param name="RunFolder">The run folder.</param>
/// <param name="Steps">Last logged step.</param>
/// <param name="CpuMinutes">CPU time of training at the last validation (minutes, all threads).</param>
/// <param name="FinalGain">Validation PSNR gain over the blurry input at the last validation (dB).</param>
/// <param name="BestGain">Best validation PSNR gain of the run (dB).</param>
/// <param name="BestAtCpuMinutes">CPU minutes at which the best gain was reached.</param>
public sealed record LearningCurve(string Label, string RunFolder, int Steps, double CpuMinutes, double FinalGain, double BestGain,
    double BestAtCpuMinutes);

/// <summary>
/// Learning curves for choosing a training recipe (docs/training.md): the validation PSNR gain over the blurry input
/// (positive: the network deblurs) and the training loss against training CPU time, read from the <c>log.jsonl</c> of
/// runs trained with different recipes. Needs logs with <c>gain</c> and <c>cpuSeconds</c> (written since 2026-12-02).
/// </summary>
public static class LearningCurves
{
    /// <summary>Reads the curves of <paramref name="runs"/> ((label, run folder) pairs).</summary>
    public static IReadOnlyList<LearningCurve> Summarise(IReadOnlyList<(string Label, string RunFolder)> runs) =>
        runs.Select(r => Summarise(r.Label, Validations(r.RunFolder))).ToArray();

    /// <summary>True when the run folder's log holds at least one validation with a gain and CPU time (a run that has
    /// not validated yet has none).</summary>
    public static bool HasCurve(string runFolder) =>
        File.Exists(Path.Combine(runFolder, "log.jsonl")) &&
        Records(runFolder).Any(r => (string?)r["kind"] == "validation" && r["gain"] is not null && r["cpuSeconds"] is not null);

    /// <summary>The figure: gain and loss against CPU minutes, one line per run.</summary>
    public static Figure Build(IReadOnlyList<(string Label, string RunFolder)> runs)
    {
        var gain = new List<ChartSeries>();
        var loss = new List<ChartSeries>();
        foreach (var (label, runFolder) in runs)
        {
            var val = Validations(runFolder);
            gain.Add(new ChartSeries(label, val.Select(v => v.Cpu / 60).ToArray(), val.Select(v => v.Gain).ToArray()));
            var train = Records(runFolder).Where(r => (string?)r["kind"] == "train" && r["cpuSeconds"] is not null).ToArray();
            loss.Add(new ChartSeries(label, train.Select(r => (double)r["cpuSeconds"]! / 60).ToArray(), train.Select(r => (double)r["loss"]!).ToArray()));
        }
        return Charts.Lines([
            new ChartPanel("Validation PSNR gain over the blurry input", "training CPU minutes", "dB", gain),
            new ChartPanel("Training loss", "training CPU minutes", "loss", loss),
        ], "Learning curves: validation PSNR gain over the blurry input against training CPU time", 460, 320);
    }

    private static LearningCurve Summarise(string label, IReadOnlyList<(string Folder, int Step, double Cpu, double Gain)> val)
    {
        var last = val[^1];
        var best = val.MaxBy(v => v.Gain);
        return new LearningCurve(label, last.Folder, last.Step, last.Cpu / 60, last.Gain, best.Gain, best.Cpu / 60);
    }

    private static IReadOnlyList<(string Folder, int Step, double Cpu, double Gain)> Validations(string runFolder)
    {
        var val = Records(runFolder)
            .Where(r => (string?)r["kind"] == "validation" && r["gain"] is not null && r["cpuSeconds"] is not null)
            .Select(r => (runFolder, (int)r["step"]!, (double)r["cpuSeconds"]!, (double)r["gain"]!))
            .ToArray();
        if (val.Length == 0)
            throw new MedDeblurException($"{runFolder}: its log.jsonl has no validation with a gain and CPU time (a run without validation images, or logged by an older version)");
        return val;
    }

    private static IReadOnlyList<System.Text.Json.Nodes.JsonObject> Records(string runFolder)
    {
        string log = Path.Combine(runFolder, "log.jsonl");
        if (!File.Exists(log)) throw new MedDeblurException($"run folder {runFolder} has no log.jsonl");
        return JsonlLog.Read(log);
    }
}
