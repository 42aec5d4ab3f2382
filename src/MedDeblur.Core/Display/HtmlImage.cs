using System.Buffers.Binary;

namespace MedDeblur.Display;

/// <summary>Inline images: PNG bytes as an <c>&lt;img&gt;</c> with a base64 <c>data:</c> URI (works offline, no files).</summary>
/// <remarks>.NET Interactive has no built-in <c>image/png</c> formatter, so images travel as HTML.</remarks>
public static class HtmlImage
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Wraps encoded PNG bytes as <c>&lt;img src="data:image/png;base64,..."&gt;</c>.
    /// </summary>
    /// <param name="png">A complete PNG file (signature and IHDR chunk are checked).</param>
    /// <param name="alt">Alternative text (escaped); also the start of the plain-text form.</param>
    /// <param name="displayWidth">Optional CSS width in pixels (the image keeps its aspect ratio), e.g. to enlarge a
    /// small crop; rendering uses <c>image-rendering: pixelated</c> so pixels stay sharp when enlarged.</param>
    /// <returns>A fragment whose plain-text form is <c>PNG image W×H</c> (with the alt text when given).</returns>
    /// <exception cref="ArgumentException">The bytes are not a PNG file.</exception>
    public static HtmlFragment FromPngBytes(byte[] png, string? alt = null, int? displayWidth = null)
    {
        ArgumentNullException.ThrowIfNull(png);
        var (width, height) = PngSize(png);
        if (displayWidth is <= 0)
            throw new ArgumentOutOfRangeException(nameof(displayWidth), displayWidth, "display width must be positive.");
        string style = displayWidth is { } w ? $" style=\"width:{w}px;height:auto;image-rendering:pixelated\"" : string.Empty;
        string html = $"<img src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" alt=\"{Html.Encode(alt)}\" " +
                      $"width=\"{width}\" height=\"{height}\"{style}>";
        string text = $"PNG image {width}×{height}";
        return new HtmlFragment(html, string.IsNullOrEmpty(alt) ? text : $"{alt} ({text})");
    }

    /// <summary>Reads width and height from the IHDR chunk of a PNG file.</summary>
    /// <exception cref="ArgumentException">The bytes are not a PNG file.</exception>
    public static (int Width, int Height) PngSize(ReadOnlySpan<byte> png)
    {
        // Signature (8 bytes), then the IHDR chunk: length (4), "IHDR" (4), width (4, big-endian), height (4).
        if (png.Length < 24 || !png[..8].SequenceEqual(PngSignature) || !png.Slice(12, 4).SequenceEqual("IHDR"u8))
            throw new ArgumentException($"not a PNG file ({png.Length} bytes without the PNG signature and IHDR chunk).", nameof(png));
        return (BinaryPrimitives.ReadInt32BigEndian(png.Slice(16, 4)), BinaryPrimitives.ReadInt32BigEndian(png.Slice(20, 4)));
    }
}
