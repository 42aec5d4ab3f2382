using static TorchSharp.torch;

namespace MedDeblur.Imaging;

/// <summary>The centre crop that an evaluation budget (<c>MaxImageSize</c> of the evaluation settings) takes of a large
/// image after it was blurred at native size: test images, validation images and the downstream experiment's slices.</summary>
public static class CenterCrop
{
    /// <summary>The centre crop of [..., H, W] to at most <paramref name="maxSize"/> per side (a view; the tensor itself
    /// when it fits or the size is null).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is not positive.</exception>
    public static Tensor Apply(Tensor image, int? maxSize)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (maxSize is not int max) return image;
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1, nameof(maxSize));
        int h = (int)image.shape[^2], w = (int)image.shape[^1], top = (h - Math.Min(max, h)) / 2, left = (w - Math.Min(max, w)) / 2;
        return image[.., top..(top + Math.Min(max, h)), left..(left + Math.Min(max, w))];
    }
}
