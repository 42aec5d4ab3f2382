using MedDeblur.Blur;
using MedDeblur.Display;
using MedDeblur.Reporting;
using MedDeblur.Figures;
using MedDeblur.Imaging;
using MedDeblur.Inference;
using MedDeblur.Networks;
using MedDeblur.Runtime;
using MedDeblur.Training;

namespace MedDeblur.Notebooks;

/// <summary>Tables of motion kernels for display.</summary>
public static class KernelTables
{
    /// <summary>The brightness the official kernel normalisation (divide by d) keeps: the sum of each official kernel.</summary>
    public static ResultsTable OfficialNormalisation(IEnumerable<BlurKernelParameters> kernels)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        var table = new ResultsTable("Brightness kept by the official (divide by d) kernel", ["kernel", "sum of official kernel"]);
        foreach (var k in kernels) table.Add(k.ToString(), MotionKernel.OfficialSum(k));
        table.Notes.Add("1.00 keeps the brightness; the kit's default normalisation (by the sum) always gives 1.00.");
        return table;
    }
}

/// <summary>
/// A batch-deblur job over a file, folder or glob (what <c>meddeblur deblur</c> does) with its results as a displayable
/// table and a before/after grid.
/// </summary>
[TypeFormatterSource(typeof(HtmlFormatterSource))]
public sealed class DeblurredFolder : IHtmlDisplayable
{
    private DeblurredFolder(string outputFolder, IReadOnlyList<BatchItemResult> results)
    {
        OutputFolder = outputFolder;
        Results = results;
    }

    /// <summary>Where the restored images are.</summary>
    public string OutputFolder { get; }

    /// <summary>One result per input (written, skipped because it exists, or failed with its error).</summary>
    public IReadOnlyList<BatchItemResult> Results { get; }

    /// <summary>
    /// Deblurs every image of <paramref name="input"/> into <paramref name="outputFolder"/> with <paramref name="network"/>
    /// on <paramref name="device"/>, tile by tile (<see cref="BatchDeblur.Run"/>), each image as the mean of its 8 flipped
    /// and rotated views when <paramref name="selfEnsemble"/> is set.
    /// </summary>
    public static DeblurredFolder Run(DeblurNetwork network, string input, string outputFolder, int tile = 512, int overlap = 64, string device = "auto", bool selfEnsemble = false)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputFolder);
        var deblurrer = new Deblurrer(network, TorchRuntime.ResolveDevice(device), new TileOptions { TileSize = tile, Overlap = overlap }, selfEnsemble);
        string full = Path.GetFullPath(outputFolder);
        return new DeblurredFolder(full, BatchDeblur.Run(ImageFiles.Resolve(input), full, deblurrer));
    }

    /// <summary>The results as a table: file, status (or error), output path.</summary>
    public ResultsTable Summary()
    {
        var table = new ResultsTable($"Deblurred files ({Results.Count(r => r.Status == "written")} written, " +
                                     $"{Results.Count(r => r.Status == "skipped")} skipped, {Results.Count(r => r.Status == "failed")} failed)",
            ["file", "status", "output"]);
        foreach (var r in Results) table.Add(r.Input.RelativePath, r.Error ?? r.Status, r.OutputPath);
        return table;
    }

    /// <summary>The first <paramref name="count"/> successful inputs beside their deblurred outputs.</summary>
    public Figure BeforeAfter(int count = 3, int cellSize = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var shown = Results.Where(r => r.Status != "failed").Take(count).ToArray();
        if (shown.Length == 0) throw new MedDeblurException("no image was deblurred (every input failed): nothing to show");
        using var scope = TorchSharp.torch.NewDisposeScope();
        var rows = shown.Select(r =>
        {
            using var before = ImageIO.Read(r.Input.FullPath);
            using var after = ImageIO.Read(r.OutputPath);
            return (IReadOnlyList<FigurePanel>)[new FigurePanel(before.Pixels.alias(), "input " + r.Input.RelativePath), new FigurePanel(after.Pixels.alias(), "deblurred")];
        }).ToArray();
        return ImageGrid.Render(rows, new ImageGridOptions { CellSize = cellSize, Title = "Input and deblurred output" });
    }

    /// <summary>The <paramref name="index"/>-th successful input and its restoration as a before/after slider with
    /// synchronised zoom.</summary>
    public BeforeAfterSlider Slider(int index = 0, int displayWidth = 512)
    {
        var shown = Results.Where(r => r.Status != "failed").ToArray();
        if (index < 0 || index >= shown.Length)
            throw new MedDeblurException($"slider {index}: {shown.Length} image(s) were deblurred (indices 0 to {shown.Length - 1})");
        var r = shown[index];
        return BeforeAfterSlider.FromFiles(r.Input.FullPath, r.OutputPath, $"{r.Input.RelativePath}: left of the line restored, right the input", displayWidth);
    }

    /// <inheritdoc />
    public string ToHtml() => Summary().ToHtml();

    /// <inheritdoc />
    public override string ToString() => Summary().ToString();
}
