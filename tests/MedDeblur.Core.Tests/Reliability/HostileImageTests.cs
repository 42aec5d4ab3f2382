using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using MedDeblur.Imaging;
using SkiaSharp;

namespace MedDeblur.Tests.Reliability;

/// <summary>Issue 11: damaged and hostile image files end in a clear per-file error, never a crash, a hang or a bomb.</summary>
public sealed class HostileImageTests : TempFolderTest
{
    [Fact]
    public void Corrupt_ccitt_group4_tiff_is_a_load_error_not_an_index_out_of_range()
    {
        // a 1-bit CCITT Group 4 TIFF with one byte of its compressed data changed: LibTiff.NET indexes past its buffer
        string path = Fixture.Path("Imaging", "corrupt-g4.tif");
        var e = Assert.Throws<ImageLoadException>(() => ImageIO.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("corrupt", e.Message);
    }

    [Fact]
    public void A_folder_given_as_an_image_is_named_as_a_folder()
    {
        var e = Assert.Throws<ImageLoadException>(() => ImageIO.Read(Temp));
        Assert.Contains("is a folder", e.Message);
        Assert.DoesNotContain("denied", e.Message);
    }

    [Fact]
    public async Task A_fifo_named_like_an_image_is_refused_without_blocking()
    {
        if (OperatingSystem.IsWindows()) return;
        string fifo = Path.Combine(Temp, "x.png");
        Assert.Equal(0, MakeFifo(fifo, 0b110_100_100));
        var read = Task.Run(() => Assert.Throws<ImageLoadException>(() => ImageIO.Read(fifo)));
        Assert.True(await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(20))) == read, "reading a FIFO blocked");
        Assert.Contains("not a regular file", (await read).Message);
    }

    [Fact]
    public void Sixteen_bit_png_decompression_bomb_is_refused_after_the_bytes_its_header_allows()
    {
        // 100x100 16-bit gray needs 100 * (1 + 200) = 20,100 bytes; the IDAT inflates to 256 MiB
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, 100);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), 100);
        ihdr[8] = 16;
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) z.Write(zeros);
        }
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        string path = Path.Combine(Temp, "bomb.png");
        File.WriteAllBytes(path, png.ToArray());
        long before = GC.GetTotalAllocatedBytes();
        var e = Assert.Throws<ImageLoadException>(() => ImageIO.Read(path));
        Assert.Contains("decompression bomb", e.Message);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 64L << 20, "the decoder allocated far more than the header allows");
    }

    [Fact]
    public void Jpeg_with_2000_random_bytes_in_the_middle_is_reported_not_decoded_silently()
    {
        byte[] jpeg = Jpeg(160, 120);
        using (var ok = ImageIO.Decode(jpeg, "good.jpg")) Assert.Equal(160, ok.Width); // the intact file decodes
        var random = new Random(11);
        int failures = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            var damaged = (byte[])jpeg.Clone();
            int start = damaged.Length / 2 - 1000 + random.Next(-200, 200);
            random.NextBytes(damaged.AsSpan(start, 2000));
            try { using var image = ImageIO.Decode(damaged, $"damaged{trial}.jpg"); }
            catch (ImageLoadException e)
            {
                Assert.Contains($"damaged{trial}.jpg", e.Message);
                failures++;
            }
        }
        Assert.Equal(20, failures);
    }

    [Fact]
    public void Truncated_jpeg_is_reported()
    {
        byte[] jpeg = Jpeg(64, 48);
        var e = Assert.Throws<ImageLoadException>(() => ImageIO.Decode(jpeg[..(jpeg.Length * 2 / 3)], "cut.jpg"));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Images_found_by_the_fuzzer_are_refused_cleanly()
    {
        // the regression fixtures of fuzz/ (docs/reliability.md): each once made a parser crash or allocate without bound
        var files = Directory.GetFiles(Fixture.Path("Fuzz", "image"));
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            long before = GC.GetTotalAllocatedBytes();
            try { using var image = ImageIO.Read(file, new ImageReadOptions { MaxPixels = 4_000_000 }); }
            catch (ImageLoadException e) { Assert.Contains(file, e.Message); }
            Assert.True(GC.GetTotalAllocatedBytes() - before < 256L << 20, $"{Path.GetFileName(file)} made the decoder allocate over 256 MiB");
        }
    }

    [Fact]
    public void Zero_pixel_limit_is_refused()
    {
        var e = Assert.Throws<SettingException>(() => new ImageReadOptions { MaxPixels = 0 }.Validate());
        Assert.Contains("--max-pixels", MedDeblur.Cli.CliMessages.Describe(e)); // the library names the setting, the CLI its option
    }

    /// <summary>A JPEG of a smooth pattern with noise (so the entropy-coded data is several kilobytes), by SkiaSharp.</summary>
    internal static byte[] Jpeg(int w, int h)
    {
        using var bitmap = new SKBitmap(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var random = new Random(5);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 255 / w), (byte)(y * 255 / h), (byte)random.Next(256)));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typeAndData));
        stream.Write(crc);
    }

#pragma warning disable SYSLIB1054 // the test project does not allow unsafe code, which LibraryImport needs for strings
    [DllImport("libc", EntryPoint = "mkfifo")]
    internal static extern int MakeFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
#pragma warning restore SYSLIB1054
}
