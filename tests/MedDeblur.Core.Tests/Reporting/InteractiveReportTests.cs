using System.Text.RegularExpressions;
using MedDeblur.Figures;
using MedDeblur.Reporting;
using Microsoft.Data.Analysis;

namespace MedDeblur.Tests.Reporting;

/// <summary>Interactive charts in report.html (plotly.js once, offline) and the before/after slider.</summary>
public class InteractiveReportTests
{
    private static DataFrame PerImage() => new(
        new StringDataFrameColumn("method", ["Blurry input", "Blurry input", "MedDeblur", "MedDeblur", "Base", "Base"]),
        new StringDataFrameColumn("modality", ["mri", "ct", "mri", "ct", "mri", "ct"]),
        new StringDataFrameColumn("image", ["mri/a.png", "ct/b.png", "mri/a.png", "ct/b.png", "mri/a.png", "ct/b.png"]),
        new DoubleDataFrameColumn("psnr", [20.0, 30.0, 21.5, 29.0, 20.5, 30.5]),
        new DoubleDataFrameColumn("ssim", [0.5, 0.8, 0.55, 0.79, 0.52, 0.81]),
        new DoubleDataFrameColumn("deltaE", [3.0, 2.0, 2.5, 2.2, 2.9, 1.9]));

    [Fact]
    public void Report_with_several_charts_embeds_plotly_js_once_and_loads_nothing_from_the_network()
    {
        var report = new HtmlReport("r").Section("charts")
            .Chart(InteractiveCharts.GainsOverBlurryInput(PerImage()))
            .Chart(InteractiveCharts.Ablation(PerImage(), ["Base", "MedDeblur"]))
            .Chart(InteractiveCharts.ParametersLatencyPsnr([("MedDeblur", 515_261, 168, 23.6), ("Base", 200_000, 80, 24.1)]));

        string html = report.ToHtml();

        Assert.Single(Regex.Matches(html, @"\* plotly\.js v\d+\.\d+\.\d+"));
        Assert.Equal(3, Regex.Matches(html, "Plotly chart will be drawn inside this DIV").Count);
        Assert.DoesNotContain("<script src", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("<(script|link|img|iframe)[^>]*(src|href)=[\"']https?://", html); // plotly.js names its CDN in a setting; nothing loads from it
        Assert.True(html.IndexOf("plotly.js v", StringComparison.Ordinal) < html.IndexOf("Plotly.newPlot", StringComparison.Ordinal));
    }

    [Fact]
    public void Report_without_charts_has_no_script()
    {
        Assert.DoesNotContain("<script", new HtmlReport("r").Section("s").Paragraph("p").ToHtml(), StringComparison.Ordinal);
    }

    [Fact]
    public void Gains_are_measured_against_the_blurry_input_of_the_same_image()
    {
        string json = Plotly.NET.GenericChart.toChartHTML(InteractiveCharts.GainsOverBlurryInput(PerImage(), ["MedDeblur"]));
        // PSNR gains of MedDeblur: mri 21.5 - 20.0 = 1.5, ct 29.0 - 30.0 = -1.0; DeltaE reductions: 0.5 and -0.2
        Assert.Contains("[1.5,-1.0]", json, StringComparison.Ordinal);
        Assert.Matches(@"\[0\.5,-0\.2000000000000\d*\]", json);
        Assert.Throws<MedDeblurException>(() => InteractiveCharts.GainsOverBlurryInput(PerImage().Filter(PerImage()["method"].ElementwiseNotEquals("Blurry input"))));
    }

    [Fact]
    public void Slider_holds_both_images_and_its_own_script()
    {
        string mri = Directory.GetFiles(Fixture.Sample("mri"), "*.png").Order().First();
        var slider = BeforeAfterSlider.FromFiles(mri, mri, "same image");
        string html = slider.ToHtml();

        Assert.Equal(2, Regex.Matches(html, "data:image/png;base64,").Count);
        Assert.Contains("class=\"ba-range\"", html, StringComparison.Ordinal);
        Assert.Contains("addEventListener('wheel'", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script src", html, StringComparison.Ordinal);
        Assert.NotEqual(Regex.Match(html, "id=\"([^\"]+)\"").Groups[1].Value,
            Regex.Match(slider.ToHtml(), "id=\"([^\"]+)\"").Groups[1].Value);
    }
}
