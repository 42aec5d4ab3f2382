using MedDeblur.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Data;

/// <summary>A crop window and one of the 8 flips/rotations of the square (the dihedral group).</summary>
/// <param name="Top">Top row of the window in the (padded) image.</param>
/// <param name="Left">Left column of the window.</param>
/// <param name="Size">Side of the square window.</param>
/// <param name="FlipHorizontal">Mirror left-right.</param>
/// <param name="FlipVertical">Mirror top-bottom.</param>
/// <param name="Rotations">Quarter turns counter-clockwise (0–3).</param>
public sealed record CropWindow(int Top, int Left, int Size, bool FlipHorizontal, bool FlipVertical, int Rotations);

/// <summary>
/// Random crops with flips and 90° rotations applied identically to a pair of images (blurred and sharp), and the padding
/// that lets images smaller than the crop take part (reflective padding, never dropping the image).
/// </summary>
public static class PairAugmentation
{
    /// <summary>Draws a window of side <paramref name="size"/> inside an image of height x width (after padding).</summary>
    public static CropWindow Draw(int height, int width, int size, DeterministicRandom random, bool augment = true)
    {
        int h = Math.Max(height, size), w = Math.Max(width, size);
        return new CropWindow(random.Next(h - size + 1), random.Next(w - size + 1), size,
            augment && random.Next(2) == 1, augment && random.Next(2) == 1, augment ? random.Next(4) : 0);
    }

    /// <summary>Reflect-pads [C,H,W] at the bottom and right so both sides are at least <paramref name="size"/>.</summary>
    public static Tensor PadTo(Tensor image, int size)
    {
        int h = (int)image.shape[^2], w = (int)image.shape[^1];
        return h >= size && w >= size ? image : ReflectPad.Reflect101(image, 0, Math.Max(0, size - h), 0, Math.Max(0, size - w));
    }

    /// <summary>Applies <paramref name="window"/> to one image [C,H,W] (padding it first if it is smaller than the window).</summary>
    public static Tensor Apply(Tensor image, CropWindow window)
    {
        using var scope = NewDisposeScope();
        var x = PadTo(image, window.Size)[.., window.Top..(window.Top + window.Size), window.Left..(window.Left + window.Size)];
        if (window.FlipHorizontal) x = x.flip(-1);
        if (window.FlipVertical) x = x.flip(-2);
        if (window.Rotations != 0) x = x.rot90(window.Rotations, (-2, -1));
        return x.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Bilinear resize of [C,H,W] or [B,C,H,W] (align_corners false, no antialias: equal to OpenCV INTER_LINEAR).</summary>
    public static Tensor Resize(Tensor image, int height, int width)
    {
        using var scope = NewDisposeScope();
        bool single = image.dim() == 3;
        var x = single ? image.unsqueeze(0) : image;
        var y = nn.functional.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
        return (single ? y.squeeze(0) : y).MoveToOuterDisposeScope();
    }
}
