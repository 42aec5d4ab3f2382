using System.Globalization;
using System.Text;
using MedDeblur.Blur;
using MedDeblur.Imaging;
using static TorchSharp.torch;

namespace MedDeblur.Figures;

/// <summary>What <see cref="PairExport"/> did with one input image.</summary>
/// <param name="Input">The input.</param>
/// <param name="Kernel">The kernel applied (null when the image failed).</param>
/// <param name="Error">Why the image was skipped, or null.</param>
public sealed record PairExportResult(InputImage Input, BlurKernelParameters? Kernel, string? Error);

/// <summary>
/// Writes blur-sharp pairs to disk (the <c>meddeblur simulate</c> verb and the paper's Figure 4): for every input image the
/// blurred image (same bit depth, channels and alpha as the input), a sharp copy, the kernel as an image, a CSV of the
/// kernel parameters, and a figure of the first pairs. Outputs are PNG named after the input's relative path
/// (<see cref="OutputStems"/>: the source extension is kept when two inputs differ only by it). The blur is applied at the image's native resolution. A file that
/// cannot be read, blurred or written is reported and skipped and the export goes on; <c>kernels.csv</c> exists from the
/// start and is kept up to date; inputs inside the output folder are never taken; everything is written atomically.
/// </summary>
public static class PairExport
{
    /// <summary>Runs the export. <paramref name="fixedKernel"/> forces one kernel for every image; otherwise each image gets
    /// its fixed kernel from (<paramref name="seed"/>, relative path), as validation and test images do
    /// (<see cref="MotionBlurSimulator.ApplyFixed"/>); <paramref name="readOptions"/> sets the pixel limit.</summary>
    public static IReadOnlyList<PairExportResult> Run(IReadOnlyList<InputImage> inputs, string outputFolder, MotionBlurSimulator simulator,
        long seed, BlurKernelParameters? fixedKernel = null, Action<PairExportResult>? progress = null, int figurePairs = 4,
        ImageReadOptions? readOptions = null)
    {
        var results = new List<PairExportResult>();
        var figureRows = new List<IReadOnlyList<FigurePanel>>();
        var csv = new StringBuilder("path,length,angle,normalization,noise_sigma,kernel_sum_official\n");
        inputs = ImageFiles.WithoutOutputs(inputs, outputFolder); // earlier outputs are never re-blurred
        var stems = OutputStems(inputs);
        var clashes = Clashes(inputs, stems);
        string csvPath = Path.Combine(outputFolder, "kernels.csv");
        AtomicFile.WriteAllText(csvPath, csv.ToString()); // the index exists from the start, whatever happens later
        using var figureScope = NewDisposeScope();
        foreach (var input in inputs)
        {
            PairExportResult result;
            string stage = "read";
            string? writing = null;
            try
            {
                if (clashes.TryGetValue(input.RelativePath, out var clash)) throw new MedDeblurException(clash);
                using var scope = NewDisposeScope();
                using var image = ImageIO.Read(input.FullPath, readOptions);
                stage = "blur";
                var (blurred, kernel) = simulator.ApplyFixed(image.Pixels, seed, input.RelativePath, fixedKernel);
                string stem = stems[input.RelativePath];
                stage = "write";
                var kernelImage = MotionKernel.ToImage(kernel);
                writing = Path.Combine(outputFolder, "blurred", stem + ".png");
                ImageIO.Write(writing, blurred, image.Alpha, image.BitDepth);
                writing = Path.Combine(outputFolder, "sharp", stem + ".png");
                ImageIO.Write(writing, image.Pixels, image.Alpha, image.BitDepth);
                writing = Path.Combine(outputFolder, "kernels", stem + ".png");
                ImageIO.Write(writing, kernelImage);
                csv.Append(Csv(input.RelativePath)).Append(',').Append(kernel.Length).Append(',')
                   .Append(kernel.AngleDegrees.ToString(CultureInfo.InvariantCulture)).Append(',')
                   .Append(simulator.Options.Normalization.ToString().ToLowerInvariant()).Append(',')
                   .Append(simulator.Options.NoiseSigma.ToString(CultureInfo.InvariantCulture)).Append(',')
                   .Append(MotionKernel.OfficialSum(kernel).ToString("0.0000", CultureInfo.InvariantCulture)).Append('\n');
                if (figureRows.Count < figurePairs)
                {
                    figureRows.Add([
                        new FigurePanel(blurred.MoveToOuterDisposeScope(), "Blurry"),
                        new FigurePanel(image.Pixels.alias().MoveToOuterDisposeScope(), "Sharp"),
                        new FigurePanel(kernelImage.MoveToOuterDisposeScope(), $"Kernel {kernel}"),
                    ]);
                }
                result = new PairExportResult(input, kernel, null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // one bad file never stops the export: reported, skipped, counted
                result = new PairExportResult(input, null, BatchFailure.Describe(e, stage, input.FullPath, writing));
            }
            results.Add(result);
            if (results.Count % 64 == 0) AtomicFile.WriteAllText(csvPath, csv.ToString());
            progress?.Invoke(result);
        }
        AtomicFile.WriteAllText(csvPath, csv.ToString());
        if (figureRows.Count > 0)
        {
            ImageGrid.Render(figureRows, new ImageGridOptions
            {
                CellSize = 220,
                Title = $"Blur-sharp pairs ({simulator.Options.Describe(fixedKernel)})",
                RowLabels = figureRows.Select((_, i) => results.Where(r => r.Error is null).ElementAt(i).Input.RelativePath).ToArray(),
            }).Save(Path.Combine(outputFolder, "figure4_blur_sharp_pairs.png"));
        }
        return results;
    }

    /// <summary>
    /// The output name (without .png) of each input: its relative path without the extension, or with it
    /// (<c>a.tif</c> -> <c>a.tif</c>.png) when another input has the same path without extension (a.png and a.tif in
    /// one folder), so no output overwrites another.
    /// </summary>
    public static IReadOnlyDictionary<string, string> OutputStems(IReadOnlyList<InputImage> inputs)
    {
        static string Stem(string path) => Path.ChangeExtension(path, null);
        var clashing = inputs.GroupBy(i => Stem(i.RelativePath), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1)
            .Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return inputs.DistinctBy(i => i.RelativePath, StringComparer.Ordinal)
            .ToDictionary(i => i.RelativePath, i => clashing.Contains(Stem(i.RelativePath)) ? i.RelativePath : Stem(i.RelativePath), StringComparer.Ordinal);
    }

    /// <summary>Inputs whose output names coincide when case is ignored (x.png and X.png): each fails with the reason, as
    /// in <c>deblur</c>, because on a case-insensitive file system one would overwrite the other.</summary>
    private static Dictionary<string, string> Clashes(IReadOnlyList<InputImage> inputs, IReadOnlyDictionary<string, string> stems)
    {
        var clashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in inputs.DistinctBy(i => i.RelativePath, StringComparer.Ordinal)
                     .GroupBy(i => stems[i.RelativePath], StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            foreach (var input in group)
                clashes[input.RelativePath] = $"{string.Join(" and ", group.Select(i => i.RelativePath))} would all be written as " +
                                              $"{group.Key}.png (names that differ only in case clash on case-insensitive file systems); rename one of them";
        return clashes;
    }

    private static string Csv(string s) => s.IndexOfAny([',', '"']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
