using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Figures;

/// <summary>One image of a grid with the label drawn under it.</summary>
/// <param name="Image">Image tensor [C,H,W] in [0,1], C = 1 or 3.</param>
/// <param name="Label">Text under the image (e.g. the method and its PSNR).</param>
public sealed record FigurePanel(Tensor Image, string Label);

/// <summary>A region of every image to magnify in an inset, as fractions of the image's width and height.</summary>
/// <param name="Left">Left edge, 0..1.</param>
/// <param name="Top">Top edge, 0..1.</param>
/// <param name="Width">Width, 0..1.</param>
/// <param name="Height">Height, 0..1.</param>
public sealed record ZoomRegion(double Left, double Top, double Width, double Height)
{
    /// <summary>
    /// The square region (side = <paramref name="fraction"/> of the shorter image side) with the most edge energy in
    /// <paramref name="image"/> [C,H,W]: where deblurring differences are easiest to see.
    /// </summary>
    public static ZoomRegion MostDetailed(Tensor image, double fraction = 0.25)
    {
        using var scope = NewDisposeScope();
        var gray = image.mean([0], keepdim: true).unsqueeze(0).to_type(ScalarType.Float32);
        var dx = (gray[.., .., .., 1..] - gray[.., .., .., ..^1]).abs();
        var dy = (gray[.., .., 1.., ..] - gray[.., .., ..^1, ..]).abs();
        var energy = nn.functional.pad(dx, [0, 1, 0, 0]) + nn.functional.pad(dy, [0, 0, 0, 1]);
        int h = (int)image.shape[1], w = (int)image.shape[2];
        int side = Math.Max(2, (int)(Math.Min(h, w) * fraction));
        // mean edge energy of every window, strided for speed
        var windows = nn.functional.avg_pool2d(energy, [side, side], [Math.Max(1, side / 4), Math.Max(1, side / 4)]);
        long best = windows.flatten().argmax().item<long>();
        long cols = windows.shape[3];
        int top = (int)(best / cols) * Math.Max(1, side / 4), left = (int)(best % cols) * Math.Max(1, side / 4);
        return new ZoomRegion((double)left / w, (double)top / h, (double)side / w, (double)side / h);
    }

    internal SKRect ToPixels(int width, int height)
    {
        if (Left < 0 || Top < 0 || Width <= 0 || Height <= 0 || Left + Width > 1 + 1e-9 || Top + Height > 1 + 1e-9)
            throw new ArgumentException($"zoom region ({Left}, {Top}, {Width}, {Height}) must lie inside [0,1] x [0,1]");
        return SKRect.Create((float)(Left * width), (float)(Top * height), (float)(Width * width), (float)(Height * height));
    }
}

/// <summary>Layout options of <see cref="ImageGrid.Render"/>.</summary>
public sealed record ImageGridOptions
{
    /// <summary>Side of the square cell each image is fitted into, in pixels.</summary>
    public int CellSize { get; init; } = 256;

    /// <summary>Title drawn above the grid, or null.</summary>
    public string? Title { get; init; }

    /// <summary>A label per row drawn on the left (e.g. the modality), or null.</summary>
    public IReadOnlyList<string>? RowLabels { get; init; }

    /// <summary>Region magnified in an inset in the bottom-right corner of every image, or null.</summary>
    public ZoomRegion? Zoom { get; init; }

    /// <summary>A zoom region per row (overrides <see cref="Zoom"/>; null entries = no inset in that row).</summary>
    public IReadOnlyList<ZoomRegion?>? RowZooms { get; init; }

    /// <summary>Inset side as a fraction of the cell size.</summary>
    public double InsetFraction { get; init; } = 0.42;
}

/// <summary>
/// Qualitative figures: rows of images with labels and optional zoomed insets (the paper's Figures 4, 5 and 8).
/// </summary>
public static class ImageGrid
{
    private const int Margin = 8;
    private const int LabelHeight = 22;
    private const int TitleHeight = 30;
    private const int RowLabelWidth = 140;

    /// <summary>Renders the rows of panels into one figure.</summary>
    public static Figure Render(IReadOnlyList<IReadOnlyList<FigurePanel>> rows, ImageGridOptions? options = null)
    {
        options ??= new ImageGridOptions();
        if (rows.Count == 0 || rows.Any(r => r.Count == 0)) throw new ArgumentException("an image grid needs at least one panel in every row");
        if (options.RowLabels is { } labels && labels.Count != rows.Count)
            throw new ArgumentException($"{labels.Count} row labels for {rows.Count} rows");
        if (options.RowZooms is { } rowZooms && rowZooms.Count != rows.Count)
            throw new ArgumentException($"{rowZooms.Count} row zoom regions for {rows.Count} rows");
        int cell = options.CellSize;
        // cells are as tall as the tallest image needs at this width, so labels sit right under the images
        double aspect = rows.SelectMany(r => r).Max(p => (double)p.Image.shape[^2] / p.Image.shape[^1]);
        int cellHeight = (int)Math.Round(cell * Math.Clamp(aspect, 0.25, 2.0));
        int columns = rows.Max(r => r.Count);
        int left = Margin + (options.RowLabels is null ? 0 : RowLabelWidth);
        int top = Margin + (options.Title is null ? 0 : TitleHeight);
        int width = left + columns * (cell + Margin);
        int height = top + rows.Count * (cellHeight + LabelHeight + Margin);

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var textFont = new SKFont(FigureFonts.Regular, 14);
        using var titleFont = new SKFont(FigureFonts.Bold, 17);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };

        if (options.Title is { } title)
        {
            while (titleFont.Size > 9 && titleFont.MeasureText(title) > width - 2 * Margin) titleFont.Size -= 1;
            canvas.DrawText(title, width / 2f, Margin + 20, SKTextAlign.Center, titleFont, ink);
        }

        for (int r = 0; r < rows.Count; r++)
        {
            int y = top + r * (cellHeight + LabelHeight + Margin);
            if (options.RowLabels is { } rowLabels)
                DrawWrapped(canvas, rowLabels[r], Margin, y + cellHeight / 2f, RowLabelWidth - Margin, textFont, ink);
            for (int c = 0; c < rows[r].Count; c++)
            {
                int x = left + c * (cell + Margin);
                var panel = rows[r][c];
                using var bitmap = TensorBitmap.ToBitmap(panel.Image);
                var dest = Fit(bitmap.Width, bitmap.Height, SKRect.Create(x, y, cell, cellHeight));
                using var image = SKImage.FromBitmap(bitmap);
                canvas.DrawImage(image, dest, new SKSamplingOptions(SKFilterMode.Linear));
                if ((options.RowZooms is { } zooms ? zooms[r] : options.Zoom) is { } zoom) DrawInset(canvas, image, dest, zoom, cell, options.InsetFraction);
                canvas.DrawText(Ellipsize(panel.Label, cell, textFont), x + cell / 2f, y + cellHeight + 16, SKTextAlign.Center, textFont, ink);
            }
        }
        string caption = options.Title ?? string.Join(" | ", rows[0].Select(p => p.Label));
        return Figure.FromSurface(surface, width, height, caption);
    }

    private static void DrawInset(SKCanvas canvas, SKImage image, SKRect dest, ZoomRegion zoom, int cell, double fraction)
    {
        var source = zoom.ToPixels(image.Width, image.Height);
        float sx = dest.Width / image.Width, sy = dest.Height / image.Height;
        var marked = SKRect.Create(dest.Left + source.Left * sx, dest.Top + source.Top * sy, source.Width * sx, source.Height * sy);
        using var box = new SKPaint { Color = new SKColor(255, 200, 0), Style = SKPaintStyle.Stroke, StrokeWidth = 2, IsAntialias = true };
        canvas.DrawRect(marked, box);

        float side = (float)(cell * fraction);
        float aspect = source.Width / source.Height;
        float iw = aspect >= 1 ? side : side * aspect, ih = aspect >= 1 ? side / aspect : side;
        var inset = SKRect.Create(dest.Right - iw - 2, dest.Bottom - ih - 2, iw, ih);
        canvas.DrawImage(image, source, inset, new SKSamplingOptions(SKFilterMode.Nearest));
        canvas.DrawRect(inset, box);
    }

    private static SKRect Fit(int w, int h, SKRect box)
    {
        float scale = Math.Min(box.Width / w, box.Height / h);
        float fw = w * scale, fh = h * scale;
        return SKRect.Create(box.Left + (box.Width - fw) / 2, box.Top + (box.Height - fh) / 2, fw, fh);
    }

    private static string Ellipsize(string text, float maxWidth, SKFont font)
    {
        if (font.MeasureText(text) <= maxWidth) return text;
        while (text.Length > 1 && font.MeasureText(text + "…") > maxWidth) text = text[..^1];
        return text + "…";
    }

    private static void DrawWrapped(SKCanvas canvas, string text, float x, float centerY, float maxWidth, SKFont font, SKPaint ink)
    {
        var lines = new List<string>();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => Ellipsize(w, maxWidth, font)))
        {
            if (lines.Count > 0 && font.MeasureText(lines[^1] + " " + word) <= maxWidth) lines[^1] += " " + word;
            else lines.Add(word);
        }
        float lineHeight = font.Size * 1.25f;
        float y = centerY - (lines.Count - 1) * lineHeight / 2 + font.Size / 3;
        foreach (var line in lines)
        {
            canvas.DrawText(line, x, y, SKTextAlign.Left, font, ink);
            y += lineHeight;
        }
    }
}
