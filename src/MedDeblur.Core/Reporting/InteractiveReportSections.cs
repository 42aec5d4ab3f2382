using MedDeblur.Display;
using System.Globalization;
using MedDeblur.Evaluation;
using MedDeblur.Figures;
using Microsoft.Data.Analysis;

namespace MedDeblur.Reporting;

/// <summary>
/// The interactive part of the reproduce report: per-image gains over the blurry input, the ablation, parameters vs
/// latency vs PSNR (Plotly.NET, <see cref="InteractiveCharts"/>) and before/after sliders of the figure images
/// (<see cref="BeforeAfterSlider"/>).
/// </summary>
public static class InteractiveReportSections
{
    /// <summary>Appends the sections to <paramref name="report"/>.</summary>
    /// <param name="report">The report.</param>
    /// <param name="perImage">Per-image results with the blurry-input rows.</param>
    /// <param name="comparison">Methods of Table 2 (display names, without the blurry input).</param>
    /// <param name="ablation">Variants of Table 3 (display names).</param>
    /// <param name="analysis">Table 4 (columns Network, Parameters, latency columns).</param>
    /// <param name="outputs">The folder of restored images (one subfolder per method, <see cref="Evaluator.Safe"/>).</param>
    /// <param name="shown">The images of the comparison figures (row label, relative path).</param>
    /// <param name="restoredBy">Which method's restorations the sliders show.</param>
    public static void Append(HtmlReport report, DataFrame perImage, IReadOnlyList<string> comparison, IReadOnlyList<string> ablation,
        ResultsTable analysis, string outputs, IReadOnlyList<(string RowLabel, string RelativePath)> shown, string restoredBy = "MedDeblur")
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(shown);
        report.Section("Interactive charts")
            .Paragraph("Hover for the image and value, drag to zoom, double-click to reset, click a legend entry to hide a method.")
            .Chart(InteractiveCharts.GainsOverBlurryInput(perImage, comparison.Where(m => m != InteractiveCharts.BlurryInput).ToArray()))
            .Chart(InteractiveCharts.Ablation(perImage, ablation));
        if (ParametersLatencyPsnr(perImage, analysis) is { Count: > 0 } points) report.Chart(InteractiveCharts.ParametersLatencyPsnr(points));

        report.Section($"Before and after: blurry input and {restoredBy}");
        foreach (var (row, relative) in shown)
        {
            string png = Path.ChangeExtension(relative, ".png");
            string before = Path.Combine(outputs, Evaluator.Safe(InteractiveCharts.BlurryInput), png);
            string after = Path.Combine(outputs, Evaluator.Safe(restoredBy), png);
            if (File.Exists(before) && File.Exists(after))
                report.Element(BeforeAfterSlider.FromFiles(before, after, $"{row}: {relative} — left of the line {restoredBy}, right the blurry input"));
        }
    }

    /// <summary>(network, parameters, latency at the first profiled size, average PSNR = mean of modality means) for
    /// every row of Table 4 that has a PSNR and a latency.</summary>
    public static IReadOnlyList<(string Name, long Parameters, double LatencyMs, double Psnr)> ParametersLatencyPsnr(DataFrame perImage, ResultsTable analysis)
    {
        ArgumentNullException.ThrowIfNull(perImage);
        ArgumentNullException.ThrowIfNull(analysis);
        int name = analysis.Columns.ToList().IndexOf("Network"), parameters = analysis.Columns.ToList().IndexOf("Parameters");
        int latency = analysis.Columns.ToList().FindIndex(c => c.StartsWith("Latency", StringComparison.Ordinal));
        if (name < 0 || parameters < 0 || latency < 0) return [];
        var c = CultureInfo.InvariantCulture;
        var result = new List<(string, long, double, double)>();
        foreach (var row in analysis.Rows)
        {
            var rows = Enumerable.Range(0, (int)perImage.Rows.Count).Where(i => (string)perImage["method"][i] == row[name]).ToArray();
            if (rows.Length == 0 || !double.TryParse(row[latency], NumberStyles.Float, c, out double ms) ||
                !long.TryParse(row[parameters], NumberStyles.AllowThousands, c, out long count)) continue;
            double psnr = rows.GroupBy(i => (string)perImage["modality"][i]).Average(g => g.Average(i => Convert.ToDouble(perImage["psnr"][i], c)));
            result.Add((row[name], count, ms, psnr));
        }
        return result;
    }
}
