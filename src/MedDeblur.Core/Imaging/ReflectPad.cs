using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedDeblur.Imaging;

/// <summary>Reflective padding that works for any pad width, even larger than the image.</summary>
public static class ReflectPad
{
    /// <summary>
    /// Pads the last two dimensions of [..., H, W] by reflection without repeating the edge (numpy 'reflect', OpenCV
    /// BORDER_REFLECT_101), reflecting as often as needed when the pad is wider than the image.
    /// </summary>
    public static Tensor Reflect101(Tensor images, int before, int after) => Reflect101(images, before, after, before, after);

    /// <summary>Pads top, bottom, left and right separately (see <see cref="Reflect101(Tensor, int, int)"/>).</summary>
    public static Tensor Reflect101(Tensor images, int top, int bottom, int left, int right)
    {
        int h = (int)images.shape[^2], w = (int)images.shape[^1];
        if (top < h && bottom < h && left < w && right < w && images.dim() is 3 or 4)
            return F.pad(images, [left, right, top, bottom], PaddingModes.Reflect);
        using var scope = NewDisposeScope();
        var rows = tensor(Indices(h, top, bottom), device: images.device);
        var cols = tensor(Indices(w, left, right), device: images.device);
        return images.index_select(-2, rows).index_select(-1, cols).MoveToOuterDisposeScope();
    }

    private static long[] Indices(int n, int before, int after)
    {
        var idx = new long[n + before + after];
        long period = 2L * (n - 1);
        for (int i = 0; i < idx.Length; i++)
        {
            if (n == 1) { idx[i] = 0; continue; }
            long p = ((i - before) % period + period) % period;
            idx[i] = p < n ? p : period - p;
        }
        return idx;
    }
}
