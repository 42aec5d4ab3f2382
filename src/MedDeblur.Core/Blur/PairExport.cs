using System.Globalization;
using System.Text;
using MedDeblur.Data;
using MedDeblur.Figures;
using MedDeblur.Imaging;
using static TorchSharp.torch;

namespace MedDeblur.Blur;

/// <summary>What <see cref="PairExport"/> did with one input image.</summary>
/// <param name="Input">The input.</param>
/// <param name="Kernel">The kernel applied (null when the image failed).</param>
/// <param name="Error">Why the image was skipped, or null.</param>
public sealed record PairExportResult(InputImage Input, BlurKernelParameters? Kernel, string? Error);

/// <summary>
/// Writes blur-sharp pairs to disk (the <c>meddeblur simulate</c> verb and the paper's Figure 4): for every input image the
/// blurred image (same bit depth, channels and alpha as the input), a sharp copy, the kernel as an image, a CSV of the
/// kernel parameters, and a figure of the first pairs. The blur is applied at the image's native resolution. A file that
/// cannot be read is reported and skipped; everything is written atomically.
/// </summary>
public static class PairExport
{
    /// <summary>Runs the export. <paramref name="fixedKernel"/> forces one kernel for every image; otherwise each image gets
    /// its fixed kernel from (<paramref name="seed"/>, relative path), as validation and test images do.</summary>
    public static IReadOnlyList<PairExportResult> Run(IReadOnlyList<InputImage> inputs, string outputFolder, MotionBlurSimulator simulator,
        long seed, BlurKernelParameters? fixedKernel = null, Action<PairExportResult>? progress = null, int figurePairs = 4)
    {
        var results = new List<PairExportResult>();
        var figureRows = new List<IReadOnlyList<FigurePanel>>();
        var csv = new StringBuilder("path,length,angle,normalization,noise_sigma,kernel_sum_official\n");
        using var figureScope = NewDisposeScope();
        foreach (var input in inputs)
        {
            PairExportResult result;
            try
            {
                using var scope = NewDisposeScope();
                using var image = ImageIO.Read(input.FullPath);
                var kernel = fixedKernel ?? simulator.FixedFor(seed, input.RelativePath);
                var noise = simulator.Options.NoiseSigma > 0 ? new Generator(DeterministicRandom.For(seed, 0, "noise:" + input.RelativePath).NextSeed()) : null;
                var blurred = simulator.Apply(image.Pixels, kernel, noise);
                string stem = Path.ChangeExtension(input.RelativePath, null);
                ImageIO.Write(Path.Combine(outputFolder, "blurred", stem + ".png"), blurred, image.Alpha, image.BitDepth);
                ImageIO.Write(Path.Combine(outputFolder, "sharp", stem + ".png"), image.Pixels, image.Alpha, image.BitDepth);
                var kernelImage = MotionKernel.ToImage(kernel);
                ImageIO.Write(Path.Combine(outputFolder, "kernels", stem + ".png"), kernelImage);
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
            catch (MedDeblurException e)
            {
                result = new PairExportResult(input, null, e.Message);
            }
            results.Add(result);
            progress?.Invoke(result);
        }
        AtomicFile.WriteAllText(Path.Combine(outputFolder, "kernels.csv"), csv.ToString());
        if (figureRows.Count > 0)
        {
            ImageGrid.Render(figureRows, new ImageGridOptions
            {
                CellSize = 220,
                Title = $"Blur-sharp pairs ({simulator.Options.Describe()})",
                RowLabels = figureRows.Select((_, i) => results.Where(r => r.Error is null).ElementAt(i).Input.RelativePath).ToArray(),
            }).Save(Path.Combine(outputFolder, "figure4_blur_sharp_pairs.png"));
        }
        return results;
    }

    private static string Csv(string s) => s.IndexOfAny([',', '"']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
