using System.Globalization;
using MedDeblur.Training;
using Microsoft.Data.Analysis;
using Plotly.NET;
using Plotly.NET.CSharp;
using Plotly.NET.LayoutObjects;
using Chart = Plotly.NET.CSharp.Chart;

namespace MedDeblur.Figures;

/// <summary>
/// Interactive Plotly.NET charts for exploring results (hover, zoom, toggle series): training curves, per-image gains
/// over the blurry input per modality and method, the ablation, and parameters vs latency vs PSNR. Notebooks show them
/// through the formatter of MedDeblur.Interactive; report.html embeds them with plotly.js once
/// (<see cref="Reporting.PlotlyHtml"/>). Paper figures and image grids stay PNG (<see cref="Figure"/>).
/// </summary>
public static class InteractiveCharts
{
    /// <summary>The name of the blurry-input rows in the per-image results.</summary>
    public const string BlurryInput = "Blurry input";

    /// <summary>Training loss and validation PSNR against the step, one line per run, from each run's <c>log.jsonl</c>.</summary>
    public static GenericChart TrainingCurves(IReadOnlyList<(string Label, string RunFolder)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var points = runs.Select(r =>
        {
            string log = Path.Combine(r.RunFolder, "log.jsonl");
            if (!File.Exists(log)) throw new MedDeblurException($"run folder {r.RunFolder} has no log.jsonl");
            var records = JsonlLog.Read(log);
            var loss = records.Where(x => (string?)x["kind"] == "train").Select(x => ((int)x["step"]!, (double)x["loss"]!)).ToArray();
            var psnr = records.Where(x => (string?)x["kind"] == "validation").Select(x => ((int)x["step"]!, (double)x["psnr"]!)).ToArray();
            return (r.Label, (IReadOnlyList<(int, double)>)loss, (IReadOnlyList<(int, double)>)psnr);
        }).ToArray();
        return TrainingCurves(points);
    }

    /// <summary>Training loss and validation PSNR against the step from points in memory (a notebook redraws it while
    /// training runs).</summary>
    public static GenericChart TrainingCurves(IReadOnlyList<(string Label, IReadOnlyList<(int Step, double Loss)> Loss, IReadOnlyList<(int Step, double Psnr)> Psnr)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var loss = Chart.Combine(runs.Select(r => Chart.Line<int, double, string>(r.Loss.Select(p => p.Step), r.Loss.Select(p => p.Loss), Name: r.Label + " loss")))
            .WithXAxisStyle<int, int, string>(TitleText: "step").WithYAxisStyle<double, double, string>(TitleText: "training loss");
        var psnr = Chart.Combine(runs.Select(r => Chart.Line<int, double, string>(r.Psnr.Select(p => p.Step), r.Psnr.Select(p => p.Psnr), ShowMarkers: true, Name: r.Label + " val PSNR")))
            .WithXAxisStyle<int, int, string>(TitleText: "step").WithYAxisStyle<double, double, string>(TitleText: "validation PSNR (dB)");
        return Titled(Chart.Grid([loss, psnr], 1, 2), "Training loss and validation PSNR (Figure 9)", 1000, 380);
    }

    /// <summary>
    /// Per-image gain of each method over the blurry input of the same image (PSNR and SSIM: method − input, higher is
    /// better; DeltaE: input − method, higher is better), as box plots with every image as a point, per modality (x)
    /// and method (colour), one panel per metric.
    /// </summary>
    /// <param name="perImage">The per-image results (columns method, modality, image, psnr, ssim, deltaE) with the
    /// blurry-input rows.</param>
    /// <param name="methods">Methods to show, in order; null = every method except the blurry input.</param>
    public static GenericChart GainsOverBlurryInput(DataFrame perImage, IReadOnlyList<string>? methods = null)
    {
        ArgumentNullException.ThrowIfNull(perImage);
        var rows = Rows(perImage);
        var input = rows.Where(r => r.Method == BlurryInput).ToDictionary(r => r.Image);
        if (input.Count == 0) throw new MedDeblurException("the per-image results have no 'Blurry input' rows to measure gains against");
        methods ??= rows.Select(r => r.Method).Where(m => m != BlurryInput).Distinct().ToArray();
        GenericChart Panel(string metric, Func<Row, double> value, int sign) =>
            WithBoxGroups(Chart.Combine(methods.Select(m =>
            {
                var mine = rows.Where(r => r.Method == m && input.ContainsKey(r.Image)).ToArray();
                return Chart.BoxPlot<string, double, string>(
                    X: mine.Select(r => r.Modality).ToArray(),
                    Y: mine.Select(r => sign * (value(r) - value(input[r.Image]))).ToArray(),
                    Name: m, MultiText: mine.Select(r => r.Image).ToArray(), BoxPoints: StyleParam.BoxPoints.All, Jitter: 0.4, PointPos: 0);
            })).WithYAxisStyle<double, double, string>(TitleText: metric));
        return Titled(Chart.Grid([
            Panel("PSNR gain (dB)", r => r.Psnr, 1),
            Panel("SSIM gain", r => r.Ssim, 1),
            Panel("DeltaE reduction", r => r.DeltaE, -1),
        ], 3, 1), "Per-image gain over the blurry input, per modality and method (0 = no better than the input)", 1000, 1100);
    }

    /// <summary>The ablation variants' per-image PSNR gain over the blurry input, one box per variant and modality.</summary>
    public static GenericChart Ablation(DataFrame perImage, IReadOnlyList<string> variants)
    {
        ArgumentNullException.ThrowIfNull(variants);
        var rows = Rows(perImage);
        var input = rows.Where(r => r.Method == BlurryInput).ToDictionary(r => r.Image);
        var chart = WithBoxGroups(Chart.Combine(variants.Select(v =>
        {
            var mine = rows.Where(r => r.Method == v && input.ContainsKey(r.Image)).ToArray();
            return Chart.BoxPlot<string, double, string>(X: mine.Select(r => r.Modality).ToArray(),
                Y: mine.Select(r => r.Psnr - input[r.Image].Psnr).ToArray(), Name: v, MultiText: mine.Select(r => r.Image).ToArray(),
                BoxPoints: StyleParam.BoxPoints.All, Jitter: 0.4, PointPos: 0);
        }))).WithYAxisStyle<double, double, string>(TitleText: "PSNR gain over the blurry input (dB)");
        return Titled(chart, "Ablation (Table 3): per-image PSNR gain of each variant", 1000, 450);
    }

    /// <summary>Parameters (x, log scale) against latency (y) with the average PSNR as colour and label, one point per network.</summary>
    public static GenericChart ParametersLatencyPsnr(IReadOnlyList<(string Name, long Parameters, double LatencyMs, double Psnr)> networks)
    {
        ArgumentNullException.ThrowIfNull(networks);
        var c = CultureInfo.InvariantCulture;
        var chart = Chart.Combine(networks.Select(n => Chart.Point<long, double, string>([n.Parameters], [n.LatencyMs], Name: n.Name,
                Text: string.Create(c, $"{n.Name}: {n.Parameters:N0} parameters, {n.LatencyMs:0} ms, {n.Psnr:0.00} dB"),
                MarkerColor: Color.fromString(PsnrColour(n.Psnr, networks.Min(x => x.Psnr), networks.Max(x => x.Psnr))))))
            .WithXAxisStyle<long, long, string>(TitleText: "parameters", AxisType: StyleParam.AxisType.Log)
            .WithYAxisStyle<double, double, string>(TitleText: "latency (ms)");
        return Titled(chart, "Parameters vs latency (colour: average PSNR, darker = higher; hover for values)", 900, 450);
    }

    private static string PsnrColour(double psnr, double min, double max)
    {
        double t = max > min ? (psnr - min) / (max - min) : 1;
        int v = (int)Math.Round(200 - 170 * t);
        return string.Create(CultureInfo.InvariantCulture, $"rgb({v},{v},255)");
    }

    private static GenericChart WithBoxGroups(GenericChart chart)
    {
        var layout = new Layout();
        layout.SetProperty("boxmode", "group");
        return GenericChart.addLayout(layout, chart);
    }

    private static GenericChart Titled(GenericChart chart, string title, int width, int height)
    {
        var layout = new Layout();
        layout.SetProperty("title", new Dictionary<string, object> { ["text"] = title });
        return GenericChart.addLayout(layout, chart).WithSize(width, height);
    }

    private sealed record Row(string Method, string Modality, string Image, double Psnr, double Ssim, double DeltaE);

    private static Row[] Rows(DataFrame frame) =>
        Enumerable.Range(0, (int)frame.Rows.Count).Select(i => new Row((string)frame["method"][i], (string)frame["modality"][i], (string)frame["image"][i],
            Convert.ToDouble(frame["psnr"][i], CultureInfo.InvariantCulture), Convert.ToDouble(frame["ssim"][i], CultureInfo.InvariantCulture),
            Convert.ToDouble(frame["deltaE"][i], CultureInfo.InvariantCulture))).ToArray();
}
