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
