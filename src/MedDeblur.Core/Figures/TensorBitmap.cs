using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Figures;

/// <summary>Converts image tensors ([C,H,W] in [0,1], C = 1 or 3) to SkiaSharp bitmaps for drawing.</summary>
public static class TensorBitmap
{
    /// <summary>An 8-bit RGBA bitmap of the image (gray replicated; values clamped and rounded half up).</summary>
    public static SKBitmap ToBitmap(Tensor image)
    {
        if (image.dim() != 3 || (image.shape[0] != 1 && image.shape[0] != 3))
            throw new ArgumentException($"expected an image tensor [C,H,W] with C = 1 or 3, got [{string.Join(",", image.shape)}]");
        int h = (int)image.shape[1], w = (int)image.shape[2];
        byte[] rgb;
        using (NewDisposeScope())
        {
            var u8 = image.detach().cpu().to_type(ScalarType.Float32).clamp(0, 1).mul(255).add(0.5).floor().to_type(ScalarType.Byte);
            if (u8.shape[0] == 1) u8 = u8.expand(3, h, w);
            rgb = u8.permute(1, 2, 0).contiguous().data<byte>().ToArray();
        }
        var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = new byte[w * h * 4];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            pixels[j] = rgb[i];
            pixels[j + 1] = rgb[i + 1];
            pixels[j + 2] = rgb[i + 2];
            pixels[j + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        return bitmap;
    }
}
