using MedDeblur.Figures;
using SkiaSharp;
using TorchSharp;

namespace MedDeblur.Tests.Figures;

public class FigureTests
{
    private static torch.Tensor Gradient(int channels, int h, int w)
    {
        var ramp = torch.linspace(0, 1, w).expand(h, w);
        return ramp.unsqueeze(0).expand(channels, h, w).contiguous();
    }

    private static int DarkPixels(SKBitmap bitmap, SKRectI box)
    {
        int n = 0;
        for (int y = box.Top; y < box.Bottom; y++)
            for (int x = box.Left; x < box.Right; x++)
                if (bitmap.GetPixel(x, y).Red < 100) n++;
        return n;
    }

    [Fact]
    public void Grid_draws_images_labels_and_zoom_insets()
    {
        using var scope = torch.NewDisposeScope();
        var rows = new[]
        {
            new[] { new FigurePanel(Gradient(1, 60, 80), "Blurry 21.3 dB"), new FigurePanel(Gradient(3, 60, 80), "Sharp") },
        };
        var figure = ImageGrid.Render(rows, new ImageGridOptions { CellSize = 128, Zoom = new ZoomRegion(0.5, 0.5, 0.25, 0.25) });
        using var bitmap = SKBitmap.Decode(figure.Png);
        Assert.Equal(figure.Width, bitmap.Width);
        Assert.Equal(8 + 2 * (128 + 8), bitmap.Width);
        Assert.Equal(8 + 96 + 22 + 8, bitmap.Height); // 60x80 images: cells 128 wide, 96 tall
        // the label strip under the first image holds text (the shipped font renders), the strip is otherwise white
        int ink = DarkPixels(bitmap, new SKRectI(8, 8 + 96 + 2, 8 + 128, 8 + 96 + 20));
        Assert.InRange(ink, 30, 1500);
        // the zoom box is drawn in yellow
        bool yellow = false;
        for (int y = 0; y < bitmap.Height && !yellow; y++)
            for (int x = 0; x < bitmap.Width && !yellow; x++)
            {
                var c = bitmap.GetPixel(x, y);
                yellow = c.Red > 240 && c.Green is > 180 and < 220 && c.Blue < 30;
            }
        Assert.True(yellow, "no zoom box drawn");
    }

    [Fact]
    public void Chart_renders_panels_side_by_side()
    {
        var series = new ChartSeries("val", new double[] { 0, 100, 200 }, new double[] { 20, 24, double.NaN });
        var figure = Charts.Lines([new ChartPanel("PSNR", "step", "dB", [series]), new ChartPanel("SSIM", "step", "", [series])], "curves", 300, 200);
        using var bitmap = SKBitmap.Decode(figure.Png);
        Assert.Equal(600, bitmap.Width);
        Assert.Equal(200, bitmap.Height);
        Assert.InRange(DarkPixels(bitmap, new SKRectI(0, 0, 300, 200)), 200, 30000);
    }

    [Fact]
    public void Bad_zoom_region_is_rejected_with_its_values()
    {
        using var scope = torch.NewDisposeScope();
        var rows = new[] { new[] { new FigurePanel(Gradient(1, 10, 10), "x") } };
        var e = Assert.Throws<ArgumentException>(() => ImageGrid.Render(rows, new ImageGridOptions { Zoom = new ZoomRegion(0.9, 0, 0.5, 0.5) }));
        Assert.Contains("0.9", e.Message);
    }

    [Fact]
    public void Save_writes_the_png_atomically_and_html_inlines_it()
    {
        using var scope = torch.NewDisposeScope();
        var figure = ImageGrid.Render([[new FigurePanel(Gradient(3, 16, 16), "a<b")]]);
        string dir = Path.Combine(Path.GetTempPath(), "meddeblur-fig-" + Guid.NewGuid().ToString("N"));
        figure.Save(Path.Combine(dir, "f.png"));
        Assert.Equal(figure.Png, File.ReadAllBytes(Path.Combine(dir, "f.png")));
        Assert.Single(Directory.GetFiles(dir));
        Assert.Contains("data:image/png;base64,", figure.ToHtml());
        Assert.Contains("a&lt;b", figure.ToHtml());
        Directory.Delete(dir, true);
    }
}
