using MedDeblur.Analysis;
using static TorchSharp.torch;

namespace MedDeblur.Figures;

/// <summary>The attention maps of <see cref="AttentionMaps.Capture"/> as a figure (model analysis).</summary>
public static class AttentionMapFigure
{
    /// <summary>A figure of the blurred input and every attention map (each scaled to [0,1] for display).</summary>
    public static Figure Build(Tensor blurred, IReadOnlyList<AttentionMap> maps, string title = "Spatial-asymmetric attention maps (F_V + F_H) of every RD-SAM block")
    {
        using var scope = NewDisposeScope();
        var panels = new List<FigurePanel> { new(blurred, "blurred input") };
        foreach (var m in maps)
        {
            var min = m.Map.min();
            var scaled = (m.Map - min) / (m.Map.max() - min + 1e-8);
            panels.Add(new FigurePanel(scaled, m.Block.Split('.')[0]));
        }
        return ImageGrid.Render([panels], new ImageGridOptions { CellSize = 160, Title = title });
    }
}
