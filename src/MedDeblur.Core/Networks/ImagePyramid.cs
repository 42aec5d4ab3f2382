using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Networks;

/// <summary>
/// Input pyramids for the coarse-to-fine networks. Every level is resized directly from one source image with
/// bilinear interpolation, <c>align_corners=false</c> and no antialiasing, which is what the official training does
/// (<c>cv2.resize</c> INTER_LINEAR of the native blurred image to 32, 64 and 128; identical to PyTorch's bilinear
/// <c>interpolate</c>, notes section 5).
/// </summary>
public static class ImagePyramid
{
    /// <summary>
    /// Levels <c>[finest, finest/2, ..., finest/2^(scales-1)]</c>, finest first, each resized from <paramref name="finest"/>
    /// itself (level 0 is the input). Sizes are <c>H / 2^k</c> and <c>W / 2^k</c> rounded down.
    /// </summary>
    public static IReadOnlyList<Tensor> Downsample(Tensor finest, int scales)
    {
        CheckBatch(finest, nameof(finest));
        ArgumentOutOfRangeException.ThrowIfLessThan(scales, 1);
        long h = finest.shape[2], w = finest.shape[3];
        if (h >> (scales - 1) < 1 || w >> (scales - 1) < 1)
            throw new MedDeblurException($"image {h}x{w} is too small for a {scales}-scale pyramid.");
        var levels = new Tensor[scales];
        levels[0] = finest;
        for (int k = 1; k < scales; k++)
            levels[k] = Resize(finest, h >> k, w >> k);
        return levels;
    }

    /// <summary>
    /// The official training pyramid: every level resized from the native-resolution image <paramref name="native"/>
    /// (e.g. 256x256) straight to <c>height / 2^k x width / 2^k</c> (e.g. 128, 64, 32), finest first.
    /// </summary>
    public static IReadOnlyList<Tensor> FromNative(Tensor native, long height, long width, int scales)
    {
        CheckBatch(native, nameof(native));
        ArgumentOutOfRangeException.ThrowIfLessThan(scales, 1);
        if (height >> (scales - 1) < 1 || width >> (scales - 1) < 1)
            throw new MedDeblurException($"size {height}x{width} is too small for a {scales}-scale pyramid.");
        var levels = new Tensor[scales];
        for (int k = 0; k < scales; k++)
            levels[k] = Resize(native, height >> k, width >> k);
        return levels;
    }

    /// <summary>Bilinear resize of a <c>[B, C, H, W]</c> batch (align_corners=false, no antialias).</summary>
    public static Tensor Resize(Tensor batch, long height, long width)
    {
        CheckBatch(batch, nameof(batch));
        if (batch.shape[2] == height && batch.shape[3] == width) return batch.alias();
        return nn.functional.interpolate(batch, size: [height, width], mode: InterpolationMode.Bilinear,
            align_corners: false);
    }

    /// <summary>Bilinear x2 upsampling by scale factor (the official <c>upsample_fn(x, scale_factor=2)</c>).</summary>
    public static Tensor Upsample2(Tensor batch) =>
        nn.functional.interpolate(batch, scale_factor: [2.0, 2.0], mode: InterpolationMode.Bilinear, align_corners: false);

    private static void CheckBatch(Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.dim() != 4)
            throw new MedDeblurException($"{name}: expected a [B, C, H, W] batch, got shape [{string.Join(", ", t.shape)}].");
    }
}
