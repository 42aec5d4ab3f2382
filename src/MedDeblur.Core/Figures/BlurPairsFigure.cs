using MedDeblur.Blur;
using MedDeblur.Data;
using MedDeblur.Imaging;
using static TorchSharp.torch;

namespace MedDeblur.Figures;

/// <summary>The paper's Figure 4: blur-sharp pairs of the test split with their kernels.</summary>
public static class BlurPairsFigure
{
    /// <summary>One test image per modality, blurred with its fixed kernel, next to the sharp image and the kernel.</summary>
    public static Figure Build(ImageFolderDataset dataset, MotionBlurSimulator simulator, long kernelSeed)
    {
        using var scope = NewDisposeScope();
        var rows = new List<IReadOnlyList<FigurePanel>>();
        var labels = new List<string>();
        foreach (var item in dataset.Split(DatasetSplit.Test).GroupBy(i => i.Modality).Select(g => g.First()))
        {
            using var image = ImageIO.Read(item.FullPath);
            var (blurred, kernel) = simulator.ApplyFixed(image.Pixels, kernelSeed, item.RelativePath);
            rows.Add([
                new FigurePanel(blurred, "Blurry"),
                new FigurePanel(image.Pixels.alias(), "Sharp"),
                new FigurePanel(MotionKernel.ToImage(kernel), $"Kernel {kernel}"),
            ]);
            labels.Add(item.Modality);
        }
        return ImageGrid.Render(rows, new ImageGridOptions { CellSize = 200, Title = $"Figure 4. Blur-sharp pairs ({simulator.Options.Describe()})", RowLabels = labels });
    }
}
