using System.Globalization;
using System.Text;
using MedDeblur.Blur;
using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Display;
using MedDeblur.Evaluation;
using MedDeblur.Figures;
using MedDeblur.Imaging;
using static TorchSharp.torch;

namespace MedDeblur.Downstream;

/// <summary>Settings of one downstream evaluation.</summary>
public sealed record DownstreamSettings
{
    /// <summary>The experiment's options (detection threshold, minimum object size, figure images).</summary>
    public DownstreamOptions Options { get; init; } = new();

    /// <summary>Seed of the fixed test kernels (the kit's evaluation seed).</summary>
    public long KernelSeed { get; init; } = 2023;

    /// <summary>Evaluate on the centre crop of at most this size (null = native size), cropped after blurring as the evaluation does.</summary>
    public int? MaxImageSize { get; init; }

    /// <summary>Write predicted masks to <c>predictions/&lt;row&gt;/&lt;image&gt;.png</c> under this folder (null = don't).</summary>
    public string? OutputFolder { get; init; }

    /// <summary>Device of the U-Net.</summary>
    public string Device { get; init; } = "cpu";
}

/// <summary>The scores of one (row, image) pair.</summary>
/// <param name="Row">"Sharp reference", "Blurry input" or a method's name.</param>
/// <param name="Image">Relative path of the test image.</param>
/// <param name="KernelLength">Length of the image's fixed kernel.</param>
/// <param name="KernelAngle">Angle of the image's fixed kernel.</param>
/// <param name="Score">Dice, IoU and detection.</param>
public sealed record DownstreamImageScore(string Row, string Image, int KernelLength, double KernelAngle, SegmentationScore Score);

/// <summary>What <see cref="DownstreamExperiment.Evaluate"/> measured.</summary>
public sealed class DownstreamResult
{
    internal DownstreamResult(IReadOnlyList<DownstreamImageScore> scores, IReadOnlyList<string> rows, IReadOnlyList<string> oracles,
        ResultsTable table, Figure segmentation, Figure detection)
    {
        Scores = scores;
        Rows = rows;
        Oracles = oracles;
        Table = table;
        SegmentationFigure = segmentation;
        DetectionFigure = detection;
    }

    /// <summary>Per (row, image) scores.</summary>
    public IReadOnlyList<DownstreamImageScore> Scores { get; }

    /// <summary>Row names in table order.</summary>
    public IReadOnlyList<string> Rows { get; }

    /// <summary>Rows told the true kernel.</summary>
    public IReadOnlyList<string> Oracles { get; }

    /// <summary>The table: mean Dice and IoU, detection precision/recall/F1 summed over the images.</summary>
    public ResultsTable Table { get; }

    /// <summary>Figure 6: prediction (red) and ground truth (green) overlaid, overlap yellow.</summary>
    public Figure SegmentationFigure { get; }

    /// <summary>Figure 7: bounding boxes of the detected (red) and true (green) objects.</summary>
    public Figure DetectionFigure { get; }

    /// <summary>Mean Dice of a row.</summary>
    public double MeanDice(string row) => Scores.Where(s => s.Row == row).Average(s => s.Score.Dice);

    /// <summary>Detection counts of a row summed over the images.</summary>
    public DetectionCounts Detection(string row) => Scores.Where(s => s.Row == row).Aggregate(new DetectionCounts(), (a, s) => a + s.Score.Detection);

    /// <summary>One line per (row, image).</summary>
    public string PerImageCsv()
    {
        var csv = new StringBuilder("method,image,kernel_length,kernel_angle,dice,iou,truth_objects,predicted_objects,tp,fp,fn\n");
        foreach (var s in Scores)
            csv.Append(CultureInfo.InvariantCulture, $"{Quote(s.Row)},{Quote(s.Image)},{s.KernelLength},{s.KernelAngle:0.###},{s.Score.Dice:0.######},{s.Score.IoU:0.######},{s.Score.Truth.Count},{s.Score.Predicted.Count},{s.Score.Detection.TruePositives},{s.Score.Detection.FalsePositives},{s.Score.Detection.FalseNegatives}\n");
        return csv.ToString();
    }

    /// <summary>Writes <c>NAME.csv|.md|.notes.txt</c> and <c>NAME_per_image.csv</c> to <paramref name="tables"/>, and
    /// <c>figure6_segmentation.png</c> and <c>figure7_detection.png</c> to <paramref name="figures"/>.</summary>
    /// <param name="tables">Folder of the tables.</param>
    /// <param name="figures">Folder of the figures.</param>
    /// <param name="name">File name of the table.</param>
    public void Save(string tables, string figures, string name = "downstream_segmentation")
    {
        Table.Save(tables, name);
        AtomicFile.WriteAllText(Path.Combine(tables, name + "_per_image.csv"), PerImageCsv());
        SegmentationFigure.Save(Path.Combine(figures, "figure6_segmentation.png"));
        DetectionFigure.Save(Path.Combine(figures, "figure7_detection.png"));
    }

    private static string Quote(string s) => s.Contains(',', StringComparison.Ordinal) ? $"\"{s.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : s;
}

/// <summary>
/// The paper's Section 4.2, deblurring for computer-aided diagnosis: a U-Net trained on sharp images
/// (<see cref="SegmentationTraining"/>) segments every test image of a <see cref="SegmentationDataset"/> as it is
/// (the sharp reference), blurred with the kit's fixed test kernel (the blurry input, as the comparison tables blur it)
/// and as each deblurring method restores that blurred image. Segmentation is scored with Dice and IoU; detection
/// with the connected components of the prediction and of the ground truth, their bounding boxes matched at box IoU ≥
/// 0.5 (<see cref="SegmentationMetrics"/>). The paper detects with a Mask R-CNN; here the objects come from the U-Net's
/// segmentation, because what is measured is how blur and deblurring change what a fixed analysis finds, which needs
/// the same analysis on every input, not a second network (docs/downstream.md).
/// </summary>
public static class DownstreamExperiment
{
    /// <summary>Row label of the sharp test images.</summary>
    public const string SharpRow = "Sharp reference";

    /// <summary>Segments the test split as is, blurred, and restored by each of <paramref name="methods"/> (which
    /// should start with <see cref="BlurryInput"/>); <paramref name="progress"/> gets one call per image.</summary>
    public static DownstreamResult Evaluate(SegmentationDataset dataset, UNet unet, IReadOnlyList<IDeblurMethod> methods, MotionBlurSimulator simulator,
        DownstreamSettings? settings = null, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentNullException.ThrowIfNull(methods);
        ArgumentNullException.ThrowIfNull(simulator);
        settings ??= new DownstreamSettings();
        var options = settings.Options.Validate();
        var device = Runtime.TorchRuntime.ResolveDevice(settings.Device);
        var test = dataset.Split(DatasetSplit.Test);
        if (test.Count == 0) throw new MedDeblurException($"{dataset.Root}: the segmentation test split holds no images");
        var rows = new[] { SharpRow }.Concat(methods.Select(m => m.Name)).ToArray();
        if (rows.Distinct().Count() != rows.Length) throw new ArgumentException($"row names repeat: {string.Join(", ", rows)}");
        var scores = new List<DownstreamImageScore>();
        // the figures show the test images with the largest objects
        var shown = test.Select(i => (Item: i, Area: AreaOf(i))).OrderByDescending(t => t.Area).ThenBy(t => t.Item.RelativePath, StringComparer.Ordinal)
            .Take(options.FigureImages).Select(t => t.Item.RelativePath).ToHashSet(StringComparer.Ordinal);
        var panels = new Dictionary<(string Row, string Image), (Tensor Input, SegmentationScore Score, bool[,] Predicted, bool[,] Truth)>();
        try
        {
            foreach (var item in test)
            {
                using var scope = NewDisposeScope();
                using var sharp = ImageIO.Read(item.FullPath);
                var mask = SegmentationDataset.ReadMask(item);
                var (blurred, kernelParameters) = simulator.ApplyFixed(sharp.Pixels, settings.KernelSeed, item.RelativePath);
                var kernel = simulator.Kernel(kernelParameters);
                var reference = CenterCrop.Apply(sharp.Pixels, settings.MaxImageSize);
                var input = CenterCrop.Apply(blurred, settings.MaxImageSize);
                var truth = ToMask(CenterCrop.Apply(mask, settings.MaxImageSize));
                var inputs = new List<(string Row, Func<Tensor> Image)> { (SharpRow, () => reference.alias()) };
                inputs.AddRange(methods.Select(m => (m.Name, (Func<Tensor>)(() => m.Restore(input, kernel)))));
                foreach (var (row, image) in inputs)
                {
                    using var rowScope = NewDisposeScope();
                    var restored = image().clamp(0, 1);
                    var predictedTensor = SegmentationTraining.Predict(unet, restored, device);
                    var predicted = ToMask(predictedTensor);
                    var score = SegmentationMetrics.Score(predicted, truth, options.MinComponentPixels, options.DetectionIoU);
                    scores.Add(new DownstreamImageScore(row, item.RelativePath, kernelParameters.Length, kernelParameters.AngleDegrees, score));
                    if (settings.OutputFolder is { } folder)
                        ImageIO.Write(Path.Combine(folder, "predictions", Evaluator.Safe(row), Path.ChangeExtension(item.RelativePath, ".png")), predictedTensor);
                    if (shown.Contains(item.RelativePath))
                        panels[(row, item.RelativePath)] = (restored.detach().clone().DetachFromDisposeScope(), score, predicted, truth);
                }
                progress?.Invoke(item.RelativePath);
            }
            var oracles = methods.Where(m => m.KnowsKernel).Select(m => m.Name).ToArray();
            var table = BuildTable(scores, rows, oracles, test.Count, options, simulator.Options, settings.MaxImageSize);
            var figureRows = rows.Skip(1).Append(SharpRow).ToArray(); // (a) blurry, (b) restored, (c) reference, as the paper
            var shownOrder = test.Select(i => i.RelativePath).Where(shown.Contains).ToArray();
            var segmentation = RenderFigure(figureRows, shownOrder, panels, boxes: false,
                "Figure 6. U-Net segmentation (red: predicted, green: true, yellow: both)");
            var detection = RenderFigure(figureRows, shownOrder, panels, boxes: true,
                $"Figure 7. Detection (red: detected, green: true; match at box IoU ≥ {options.DetectionIoU:0.##})");
            return new DownstreamResult(scores, rows, oracles, table, segmentation, detection);
        }
        finally
        {
            foreach (var p in panels.Values) p.Input.Dispose();
        }
    }

    /// <summary>A binary mask [1,H,W] (or [H,W]) as <c>bool[H,W]</c> (value &gt; 0.5).</summary>
    public static bool[,] ToMask(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        using var m = mask.reshape(mask.shape[^2], mask.shape[^1]).to_type(ScalarType.Float32).cpu().contiguous();
        int h = (int)m.shape[0], w = (int)m.shape[1];
        var values = m.data<float>().ToArray();
        var result = new bool[h, w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                result[y, x] = values[y * w + x] > 0.5f;
        return result;
    }

    private static long AreaOf(SegmentationItem item)
    {
        using var mask = SegmentationDataset.ReadMask(item);
        return (long)mask.sum().item<float>();
    }

    private static ResultsTable BuildTable(IReadOnlyList<DownstreamImageScore> scores, IReadOnlyList<string> rows, IReadOnlyList<string> oracles,
        int images, DownstreamOptions options, BlurOptions blur, int? maxImageSize)
    {
        var table = new ResultsTable($"Deblurring for computer-aided diagnosis (Section 4.2): U-Net segmentation and detection on {images} test image(s)",
            ["Input to the U-Net", "Dice ↑", "IoU ↑", "Precision ↑", "Recall ↑", "F1 ↑", "TP / FP / FN"]);
        foreach (var row in rows)
        {
            var of = scores.Where(s => s.Row == row).ToArray();
            var counts = of.Aggregate(new DetectionCounts(), (a, s) => a + s.Score.Detection);
            static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
            table.Add(oracles.Contains(row) ? row + " †" : row, F(of.Average(s => s.Score.Dice)), F(of.Average(s => s.Score.IoU)),
                F(counts.Precision), F(counts.Recall), F(counts.F1), $"{counts.TruePositives} / {counts.FalsePositives} / {counts.FalseNegatives}");
        }
        table.Notes.Add("The U-Net was trained on the sharp training images only; every row segments the same test images, given as they are (Sharp reference), blurred with the kit's fixed test kernel (Blurry input) or restored from that blurred image by a method.");
        table.Notes.Add("Dice and IoU: mean over the test images (1 when prediction and ground truth are both empty).");
        table.Notes.Add($"Detection: every 8-connected component of at least {options.MinComponentPixels} pixels is an object; predicted and true bounding boxes are matched one-to-one, greedily by decreasing box IoU, at IoU ≥ {options.DetectionIoU:0.##}; precision, recall and F1 from TP/FP/FN summed over the images.");
        table.Notes.Add(blur.Describe() + (maxImageSize is int m ? $"; evaluated on the centre {m}x{m} crop, blurred at native size" : ""));
        if (oracles.Count > 0) table.Notes.Add("† told the true kernel (not blind; not comparable to the networks).");
        return table;
    }

    private static Figure RenderFigure(IReadOnlyList<string> rows, IReadOnlyList<string> images,
        Dictionary<(string Row, string Image), (Tensor Input, SegmentationScore Score, bool[,] Predicted, bool[,] Truth)> panels, bool boxes, string title)
    {
        var grid = new List<IReadOnlyList<FigurePanel>>();
        foreach (var row in rows)
        {
            var cells = new List<FigurePanel>();
            foreach (var image in images)
            {
                var (input, score, predicted, truth) = panels[(row, image)];
                string name = Path.GetFileNameWithoutExtension(image);
                string label = boxes
                    ? $"F1 {score.Detection.F1:0.00} ({score.Detection.TruePositives}/{score.Detection.FalsePositives}/{score.Detection.FalseNegatives})"
                    : $"Dice {score.Dice:0.000}";
                cells.Add(new FigurePanel(boxes ? Overlays.Boxes(input, score) : Overlays.Masks(input, predicted, truth), images.Count > 1 ? $"{Short(name)}: {label}" : label));
            }
            grid.Add(cells);
        }
        var figure = ImageGrid.Render(grid, new ImageGridOptions { CellSize = 220, Title = title, RowLabels = rows });
        foreach (var row in grid) foreach (var panel in row) panel.Image.Dispose();
        return figure;
    }

    private static string Short(string name) => name.Length <= 12 ? name : name.LastIndexOf('_') is int i and >= 0 && name.Length - i - 1 is > 0 and <= 12 ? name[(i + 1)..] : name[^12..];
}
