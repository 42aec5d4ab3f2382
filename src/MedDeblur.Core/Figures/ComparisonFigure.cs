using MedDeblur.Imaging;
using static TorchSharp.torch;

namespace MedDeblur.Figures;

/// <summary>
/// The paper's qualitative comparisons (Figures 5 and 8): one row per test image, one column per method (blurry input
/// first, sharp reference last), every panel labelled with the method and its PSNR on that image, and an inset magnifying
/// the most detailed region of the sharp image.
/// </summary>
public static class ComparisonFigure
{
    /// <summary>
    /// Builds the figure from images on disk: <paramref name="columns"/> are (label, folder) pairs whose folders hold the
    /// restored images at the same relative paths as <paramref name="images"/>; <paramref name="sharpFolder"/> holds the
    /// references. <paramref name="psnr"/> gives the PSNR of (column label, image) for the panel labels, or null.
    /// </summary>
    public static Figure Build(string title, IReadOnlyList<(string Label, string Folder)> columns, string sharpFolder,
        IReadOnlyList<(string RowLabel, string RelativePath)> images, Func<string, string, double?>? psnr = null, int cellSize = 220)
    {
        using var scope = NewDisposeScope();
        var rows = new List<IReadOnlyList<FigurePanel>>();
        var zooms = new List<ZoomRegion?>();
        foreach (var (_, relative) in images)
        {
            using var sharp = ImageIO.Read(Path.Combine(sharpFolder, relative));
            var row = new List<FigurePanel>();
            foreach (var (label, folder) in columns)
            {
                using var restored = ImageIO.Read(Path.Combine(folder, relative));
                double? score = psnr?.Invoke(label, relative);
                row.Add(new FigurePanel(restored.Pixels.alias(), score is double p ? $"{label} {p:0.00} dB" : label));
            }
            row.Add(new FigurePanel(sharp.Pixels.alias(), "Sharp (reference)"));
            rows.Add(row);
            zooms.Add(ZoomRegion.MostDetailed(sharp.Pixels));
        }
        return ImageGrid.Render(rows, new ImageGridOptions
        {
            CellSize = cellSize,
            Title = title,
            RowLabels = images.Select(i => i.RowLabel).ToArray(),
            RowZooms = zooms,
        });
    }
}
