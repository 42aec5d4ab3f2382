using static TorchSharp.torch;

namespace MedDeblur.Downstream;

/// <summary>
/// The overlays of Figures 6 and 7 drawn into image tensors: the input in gray with the predicted region in red and
/// the ground truth in green (their overlap yellow), as the paper draws them; or the bounding boxes of the detected
/// (red) and true (green) objects.
/// </summary>
public static class Overlays
{
    private const float Opacity = 0.5f;

    /// <summary>RGB [3,H,W]: <paramref name="image"/> in gray, predicted pixels tinted red, true pixels green, both yellow.</summary>
    public static Tensor Masks(Tensor image, bool[,] predicted, bool[,] truth)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var scope = NewDisposeScope();
        var gray = image.mean([0], keepdim: true).to_type(ScalarType.Float32).cpu();
        var p = FromMask(predicted);
        var t = FromMask(truth);
        var any = (p + t).clamp(0, 1);
        var colour = cat([p, t, zeros_like(p)], 0);
        var rgb = gray.expand(3, -1, -1) * (1 - Opacity * any) + Opacity * colour * any;
        return rgb.clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>RGB [3,H,W]: <paramref name="image"/> in gray with the boxes of the true (green) and predicted (red) objects.</summary>
    public static Tensor Boxes(Tensor image, SegmentationScore score)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(score);
        using var scope = NewDisposeScope();
        var rgb = image.mean([0], keepdim: true).to_type(ScalarType.Float32).cpu().expand(3, -1, -1).contiguous();
        int thickness = Math.Max(1, (int)Math.Min(rgb.shape[1], rgb.shape[2]) / 120);
        foreach (var c in score.Truth) Draw(rgb, c.Box, [0f, 1f, 0f], thickness);
        foreach (var c in score.Predicted) Draw(rgb, c.Box, [1f, 0f, 0f], thickness);
        return rgb.MoveToOuterDisposeScope();
    }

    private static void Draw(Tensor rgb, PixelBox box, float[] colour, int thickness)
    {
        int h = (int)rgb.shape[1], w = (int)rgb.shape[2];
        using var c = tensor(colour).reshape(3, 1, 1);
        void Fill(int top, int bottom, int left, int right) // inclusive-exclusive, clipped
        {
            top = Math.Clamp(top, 0, h); bottom = Math.Clamp(bottom, 0, h); left = Math.Clamp(left, 0, w); right = Math.Clamp(right, 0, w);
            if (bottom > top && right > left) rgb[.., top..bottom, left..right] = c.expand(3, bottom - top, right - left);
        }
        int t = box.Top - thickness, l = box.Left - thickness, b = box.Bottom + 1 + thickness, r = box.Right + 1 + thickness;
        Fill(t, t + thickness, l, r);
        Fill(b - thickness, b, l, r);
        Fill(t, b, l, l + thickness);
        Fill(t, b, r - thickness, r);
    }

    private static Tensor FromMask(bool[,] mask)
    {
        int h = mask.GetLength(0), w = mask.GetLength(1);
        var values = new float[h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                values[y * w + x] = mask[y, x] ? 1f : 0f;
        return tensor(values, [1, h, w]);
    }
}
