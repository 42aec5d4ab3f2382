using System.Runtime.InteropServices;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Imaging;

/// <summary>
/// Reads and writes images as float tensors in [0,1]. PNG (1–16 bit), JPEG, BMP and WebP are decoded by SkiaSharp except
/// 16-bit PNG, which the kit decodes itself to keep full precision; TIFF (8/16 bit) goes through LibTiff.NET. Formats are
/// recognised by their first bytes. Grayscale files stay 1 channel, RGB 3; alpha is kept apart (see <see cref="MedicalImage"/>).
/// Every failure is an <see cref="ImageLoadException"/> naming the file and the reason.
/// </summary>
public static class ImageIO
{
    /// <summary>File extensions the dataset loaders look for (lower case, with dot).</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>([".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"], StringComparer.OrdinalIgnoreCase);

    private const string Supported = "PNG, JPEG, BMP, WebP, TIFF";

    /// <summary>Reads an image file.</summary>
    /// <exception cref="ImageLoadException">Missing, a folder or FIFO/device, empty, truncated, corrupt, unsupported or too large.</exception>
    public static MedicalImage Read(string path, ImageReadOptions? options = null)
    {
        switch (FileSystemFacts.KindOf(path))
        {
            case FileKind.Missing: throw new ImageLoadException(path, "the file does not exist");
            case FileKind.Directory: throw new ImageLoadException(path, "it is a folder, not an image file");
            case FileKind.Special: throw new ImageLoadException(path, "it is not a regular file (a FIFO, socket or device), so it is not read");
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ImageLoadException(path, "the file does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageLoadException(path, $"the file cannot be opened ({e.Message})", e);
        }
        return Decode(bytes, path, options);
    }

    /// <summary>
    /// Decodes an image file already in memory (what <see cref="Read"/> does after reading the file);
    /// <paramref name="name"/> names it in errors and becomes <see cref="MedicalImage.SourcePath"/>.
    /// </summary>
    /// <exception cref="ImageLoadException">Empty, truncated, corrupt, unsupported or too large.</exception>
    public static MedicalImage Decode(byte[] bytes, string name, ImageReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        string path = name;
        options = (options ?? new ImageReadOptions()).Validate();
        if (bytes.Length == 0) throw new ImageLoadException(path, "the file is empty");
        var format = Detect(bytes) ?? throw new ImageLoadException(path,
            $"unsupported or unrecognised format (first bytes {Convert.ToHexString(bytes.AsSpan(0, Math.Min(8, bytes.Length)))}); supported: {Supported}");
        try
        {
            if (format == ImageFileFormat.Tiff) return ReadTiff(path, bytes, options);
            PngCodec.Header? png = format == ImageFileFormat.Png ? PngCodec.ReadHeader(bytes) : null; // parsed once, size checked before decoding
            if (png is { } header) CheckSize(path, header.Width, header.Height, options);
            if (format == ImageFileFormat.Jpeg && JpegStructure.Check(bytes) is { } damage)
                throw new ImageLoadException(path, $"the JPEG data is corrupt ({damage})");
            return png is { BitDepth: 16 } ? ReadPng16(path, bytes) : ReadWithSkia(path, bytes, format, png, options);
        }
        catch (ImageLoadException)
        {
            throw;
        }
        catch (NotSupportedException e)
        {
            throw new ImageLoadException(path, e.Message, e);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ArgumentException or OverflowException or IOException)
        {
            // only the decoders' own failure types: NullReference/IndexOutOfRange in the kit's PNG codec would be bugs of
            // the kit (TIFF decoding maps LibTiff.NET's crashes itself, see ReadTiff)
            throw new ImageLoadException(path, $"the {format} data is corrupt or truncated ({e.Message})", e);
        }
    }

    /// <summary>The format of a file from its first bytes, or null when it is none of the supported ones.</summary>
    public static ImageFileFormat? Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return ImageFileFormat.Png;
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return ImageFileFormat.Jpeg;
        if (head.StartsWith("BM"u8)) return ImageFileFormat.Bmp;
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return ImageFileFormat.WebP;
        if (head.StartsWith((ReadOnlySpan<byte>)[0x49, 0x49, 0x2A, 0x00]) || head.StartsWith((ReadOnlySpan<byte>)[0x4D, 0x4D, 0x00, 0x2A]))
            return ImageFileFormat.Tiff;
        return null;
    }

    /// <summary>The network's 3-channel view of an image [C,H,W]: grayscale is replicated, RGB returned as is.</summary>
    public static Tensor ToRgb(Tensor image) => image.shape[^3] switch
    {
        1 => image.expand(image.dim() == 3 ? [3, image.shape[1], image.shape[2]] : [image.shape[0], 3, image.shape[2], image.shape[3]]).contiguous(),
        3 => image,
        _ => throw new ArgumentException($"expected 1 or 3 channels, got shape [{string.Join(",", image.shape)}]"),
    };

    /// <summary>Back from the network's RGB to <paramref name="channels"/> channels: 1 = the mean of R, G, B; 3 = unchanged.</summary>
    public static Tensor FromRgb(Tensor rgb, int channels) => channels switch
    {
        1 => rgb.mean([-3], keepdim: true),
        3 => rgb,
        _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "must be 1 or 3"),
    };

    /// <summary>
    /// Writes [C,H,W] (C = 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) in [0,1] as PNG or TIFF, chosen by the extension, at 8 or
    /// 16 bits. Values are clamped and rounded half up (<c>floor(x * max + 0.5)</c>, as torchvision's save_image).
    /// The write is atomic: a temporary file in the same folder renamed over the target.
    /// </summary>
    public static void Write(string path, Tensor image, int bitDepth = 8)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".png" or ".tif" or ".tiff"))
            throw new ArgumentException($"cannot write '{path}': the extension must be .png, .tif or .tiff");
        if (bitDepth is not (8 or 16)) throw new ArgumentOutOfRangeException(nameof(bitDepth), bitDepth, "bit depth must be 8 or 16");
        if (image.dim() != 3 || image.shape[0] is < 1 or > 4)
            throw new ArgumentException($"cannot write '{path}': expected [C,H,W] with C in 1..4, got [{string.Join(",", image.shape)}]");
        int c = (int)image.shape[0], h = (int)image.shape[1], w = (int)image.shape[2];
        ushort[] samples;
        using (NewDisposeScope())
        {
            double max = bitDepth == 16 ? 65535 : 255;
            var q = image.detach().cpu().to_type(ScalarType.Float64).nan_to_num(0).clamp(0, 1).mul(max).add(0.5).floor()
                .to_type(ScalarType.Int32).permute(1, 2, 0).contiguous();
            samples = q.data<int>().ToArray().Select(v => (ushort)v).ToArray();
        }
        byte[] encoded = ext == ".png" ? PngCodec.Encode(w, h, c, bitDepth, samples) : TiffCodec.Encode(w, h, c, bitDepth, samples);
        AtomicFile.WriteAllBytes(path, encoded);
    }

    /// <summary>Writes colour channels plus an optional alpha channel (as read by <see cref="Read"/>).</summary>
    public static void Write(string path, Tensor pixels, Tensor? alpha, int bitDepth)
    {
        if (alpha is null) { Write(path, pixels, bitDepth); return; }
        using var scope = NewDisposeScope();
        Write(path, cat([pixels, alpha.to(pixels.device)], 0), bitDepth);
    }

    private static void CheckSize(string path, long width, long height, ImageReadOptions options)
    {
        if (width <= 0 || height <= 0) throw new ImageLoadException(path, $"invalid image size {width}x{height}");
        if (width * height > options.MaxPixels)
            throw new ImageLoadException(path, $"the image is {width}x{height} = {width * height:N0} pixels, over the limit of {options.MaxPixels:N0} " +
                                               "(raise the pixel limit to allow it)") { PixelLimit = options.MaxPixels };
    }

    private static MedicalImage ReadPng16(string path, byte[] bytes)
    {
        var (h, samples) = PngCodec.Decode(bytes);
        return FromSamples(path, h.Width, h.Height, h.Channels, 16, samples, ImageFileFormat.Png);
    }

    private static MedicalImage ReadTiff(string path, byte[] bytes, ImageReadOptions options)
    {
        TiffCodec.Decoded d;
        try
        {
            var (w, h) = TiffCodec.ReadSize(bytes);
            CheckSize(path, w, h, options);
            d = TiffCodec.Decode(bytes);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or NullReferenceException or ArgumentOutOfRangeException
                                       or InvalidCastException or ArithmeticException or FormatException)
        {
            // LibTiff.NET's decoders (e.g. CCITT Group 4) index past their buffers on corrupt data instead of reporting it
            throw new ImageLoadException(path, $"the TIFF data is corrupt (LibTiff.NET failed with {e.GetType().Name}: {e.Message})", e);
        }
        return FromSamples(path, d.Width, d.Height, d.Channels, d.BitDepth, d.Samples, ImageFileFormat.Tiff);
    }

    private static MedicalImage FromSamples(string path, int w, int h, int channels, int bitDepth, ushort[] samples, ImageFileFormat format)
    {
        float scale = 1f / (bitDepth == 16 ? 65535 : 255);
        var values = new float[samples.Length];
        for (long i = 0; i < samples.Length; i++) values[i] = samples[i] * scale;
        return Split(path, tensor(values, [h, w, channels]).permute(2, 0, 1), bitDepth, format);
    }

    /// <summary>Splits [S,H,W] samples (S = 1..4) into colour channels and alpha.</summary>
    private static MedicalImage Split(string path, Tensor chw, int bitDepth, ImageFileFormat format)
    {
        using var scope = NewDisposeScope();
        int s = (int)chw.shape[0];
        Tensor pixels, alpha;
        switch (s)
        {
            case 1: pixels = chw.contiguous(); alpha = null!; break;
            case 2: pixels = chw[..1].contiguous(); alpha = chw[1..].contiguous(); break;
            case 3: pixels = chw.contiguous(); alpha = null!; break;
            case 4: pixels = chw[..3].contiguous(); alpha = chw[3..].contiguous(); break;
            default: throw new ImageLoadException(path, $"{s} samples per pixel are not supported (1 to 4)");
        }
        pixels.MoveToOuterDisposeScope();
        alpha?.MoveToOuterDisposeScope();
        return new MedicalImage(pixels, alpha, bitDepth, format, path);
    }

    private static MedicalImage ReadWithSkia(string path, byte[] bytes, ImageFileFormat format, PngCodec.Header? png, ImageReadOptions options)
    {
        // decide gray vs colour from the PNG header where there is one; SkiaSharp expands gray+alpha and palettes to RGBA
        int? pngChannels = png is { } header && header.ColorType != 3 ? header.Channels : null; // palettes: RGB, alpha if it has tRNS
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new ImageLoadException(path, $"SkiaSharp cannot decode this {format} file (corrupt or truncated header)");
        var info = codec.Info;
        CheckSize(path, info.Width, info.Height, options);
        bool gray = pngChannels is 1 or 2 || (pngChannels is null && info.ColorType == SKColorType.Gray8);
        bool hasAlpha = pngChannels is 2 or 4 || (pngChannels is 1 or 3 ? false : info.AlphaType != SKAlphaType.Opaque);
        bool grayOnly = gray && !hasAlpha;
        var target = new SKImageInfo(info.Width, info.Height, grayOnly ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var pixels = new byte[target.BytesSize64];
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        SKCodecResult result;
        try
        {
            result = codec.GetPixels(target, handle.AddrOfPinnedObject());
        }
        finally
        {
            handle.Free();
        }
        if (result != SKCodecResult.Success)
            throw new ImageLoadException(path, result == SKCodecResult.IncompleteInput
                ? $"the {format} file is truncated (incomplete image data)"
                : $"the {format} data is corrupt (SkiaSharp: {result})");

        using var scope = NewDisposeScope();
        int channels = grayOnly ? 1 : 4;
        var hwc = tensor(pixels, [info.Height, info.Width, channels], ScalarType.Byte).to_type(ScalarType.Float32).div(255f);
        var chw = hwc.permute(2, 0, 1);
        if (!grayOnly)
        {
            var colour = gray ? chw[..1] : chw[..3];
            chw = hasAlpha ? cat([colour, chw[3..]], 0) : colour;
        }
        var image = Split(path, chw, 8, format);
        image.Pixels.MoveToOuterDisposeScope();
        image.Alpha?.MoveToOuterDisposeScope();
        return image;
    }
}
