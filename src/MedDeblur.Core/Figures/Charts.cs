using SkiaSharp;

namespace MedDeblur.Figures;

/// <summary>One line of a chart.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">X values (e.g. training steps).</param>
/// <param name="Y">Y values, same length as X.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>One chart of a row of charts.</summary>
/// <param name="Title">Title above the chart.</param>
/// <param name="XLabel">X axis label.</param>
/// <param name="YLabel">Y axis label.</param>
/// <param name="Series">The lines.</param>
public sealed record ChartPanel(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series);

/// <summary>Static line charts rendered with ScottPlot (the paper's Figure 9: validation PSNR, SSIM, DeltaE over steps).</summary>
public static class Charts
{
    /// <summary>
    /// Renders the panels side by side into one figure. With several series, one legend is drawn outside the data area to
    /// the right of the last panel (the series are the same in every panel), so no line is hidden behind it.
    /// </summary>
    public static Figure Lines(IReadOnlyList<ChartPanel> panels, string caption, int panelWidth = 420, int panelHeight = 300)
    {
        if (panels.Count == 0) throw new ArgumentException("a chart needs at least one panel");
        string family = FigureFonts.EnsureScottPlotFont();
        bool legend = panels.Any(p => p.Series.Count > 1);
        int legendWidth = legend ? 200 : 0;
        int width = panels.Count * panelWidth + legendWidth, height = panelHeight;
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.White);
        for (int i = 0; i < panels.Count; i++)
        {
            var panel = panels[i];
            var plot = new ScottPlot.Plot();
            plot.Font.Set(family);
            foreach (var series in panel.Series)
            {
                if (series.X.Count != series.Y.Count)
                    throw new ArgumentException($"series '{series.Name}' has {series.X.Count} x values and {series.Y.Count} y values");
                var finite = Enumerable.Range(0, series.X.Count).Where(k => double.IsFinite(series.Y[k])).ToArray();
                var line = plot.Add.Scatter(finite.Select(k => series.X[k]).ToArray(), finite.Select(k => series.Y[k]).ToArray());
                line.LegendText = series.Name;
                line.MarkerSize = series.X.Count <= 40 ? 5 : 0;
                line.LineWidth = 2;
            }
            plot.Title(panel.Title);
            plot.XLabel(panel.XLabel);
            plot.YLabel(panel.YLabel);
            bool last = i == panels.Count - 1;
            if (legend && last) plot.ShowLegend(ScottPlot.Edge.Right);
            else plot.HideLegend();
            byte[] png = plot.GetImageBytes(panelWidth + (last ? legendWidth : 0), panelHeight, ScottPlot.ImageFormat.Png);
            using var bitmap = SKBitmap.Decode(png);
            using var image = SKImage.FromBitmap(bitmap);
            surface.Canvas.DrawImage(image, i * panelWidth, 0, SKSamplingOptions.Default);
        }
        return Figure.FromSurface(surface, width, height, caption);
    }
}
