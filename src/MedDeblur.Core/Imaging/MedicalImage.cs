using static TorchSharp.torch;

namespace MedDeblur.Imaging;

/// <summary>File formats the kit reads, detected from the file's first bytes (not its extension).</summary>
public enum ImageFileFormat
{
    /// <summary>PNG, 1–16 bits per sample (16-bit decoded by the kit's own decoder, the rest by SkiaSharp).</summary>
    Png,
    /// <summary>JPEG (SkiaSharp).</summary>
    Jpeg,
    /// <summary>BMP (SkiaSharp).</summary>
    Bmp,
    /// <summary>WebP (SkiaSharp).</summary>
    WebP,
    /// <summary>TIFF, 8 or 16 bits per sample (LibTiff.NET).</summary>
    Tiff,
}

/// <summary>
/// An image read from disk. <see cref="Pixels"/> holds the colour or gray channels as float32 [C,H,W] in [0,1] with
/// C = 1 (grayscale) or 3 (RGB); an alpha channel, if the file had one, is kept apart in <see cref="Alpha"/> and is never
/// blended into the pixels. <see cref="BitDepth"/> and <see cref="StoredChannels"/> describe the file, so an output can be
/// written back in the same form.
/// </summary>
public sealed class MedicalImage : IDisposable
{
    /// <summary>Creates an image (takes ownership of the tensors).</summary>
    public MedicalImage(Tensor pixels, Tensor? alpha, int bitDepth, ImageFileFormat format, string sourcePath)
    {
        Pixels = pixels;
        Alpha = alpha;
        BitDepth = bitDepth;
        Format = format;
        SourcePath = sourcePath;
    }

    /// <summary>Gray or RGB channels [C,H,W], float32 in [0,1].</summary>
    public Tensor Pixels { get; }

    /// <summary>Alpha [1,H,W] in [0,1] when the file had an alpha channel, else null.</summary>
    public Tensor? Alpha { get; }

    /// <summary>Bits per sample in the file (8 or 16; lower PNG depths are reported as 8).</summary>
    public int BitDepth { get; }

    /// <summary>Detected file format.</summary>
    public ImageFileFormat Format { get; }

    /// <summary>The file the image was read from.</summary>
    public string SourcePath { get; }

    /// <summary>Colour channels (1 or 3).</summary>
    public int Channels => (int)Pixels.shape[0];

    /// <summary>Channels in the file including alpha (1–4).</summary>
    public int StoredChannels => Channels + (Alpha is null ? 0 : 1);

    /// <summary>Height in pixels.</summary>
    public int Height => (int)Pixels.shape[1];

    /// <summary>Width in pixels.</summary>
    public int Width => (int)Pixels.shape[2];

    /// <summary>True for single-channel (grayscale) images.</summary>
    public bool IsGrayscale => Channels == 1;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Path.GetFileName(SourcePath)}: {Width}x{Height}, {(IsGrayscale ? "gray" : "RGB")}{(Alpha is null ? "" : "+alpha")}, {BitDepth}-bit {Format}";

    /// <inheritdoc />
    public void Dispose()
    {
        Pixels.Dispose();
        Alpha?.Dispose();
    }
}

/// <summary>Limits applied when reading.</summary>
public sealed record ImageReadOptions
{
    /// <summary>Largest accepted image in pixels (width x height), checked from the header before decoding.</summary>
    public long MaxPixels { get; init; } = 100_000_000;

    /// <summary>Checks the values and throws naming the bad one.</summary>
    public ImageReadOptions Validate() => MaxPixels >= 1 ? this
        : throw new SettingException("ImageReadOptions.MaxPixels", $"the pixel limit must be at least 1, got {MaxPixels}");
}

/// <summary>An image that cannot be read. The message names the file and the reason; nothing is partially returned.</summary>
public sealed class ImageLoadException : MedDeblurException
{
    /// <summary>Creates the exception.</summary>
    public ImageLoadException(string path, string reason, Exception? inner = null)
        : base($"cannot read image {path}: {reason}", inner ?? new InvalidDataException(reason))
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Why it cannot be read.</summary>
    public string Reason { get; }

    /// <summary>The pixel limit the image is over (<see cref="ImageReadOptions.MaxPixels"/>), when that is the reason; a front
    /// end names its own setting for it.</summary>
    public long? PixelLimit { get; init; }
}
