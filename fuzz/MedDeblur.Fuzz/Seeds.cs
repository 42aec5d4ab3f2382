using BitMiracle.LibTiff.Classic;
using MedDeblur.Configuration;
using MedDeblur.Imaging;
using MedDeblur.Training;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Fuzz;

/// <summary>Writes the starting corpus of each target: small valid files of every format and variant the parsers handle.</summary>
internal static class FuzzSeeds
{
    public static void Write(string target, string folder)
    {
        Directory.CreateDirectory(folder);
        switch (target)
        {
            case "image": Images(folder); break;
            case "checkpoint" or "checkpoint-sealed": Checkpoints(folder); break;
            case "options":
                foreach (var name in Presets.Names) File.WriteAllText(Path.Combine(folder, name + ".json"), Presets.ReadEmbedded(name));
                break;
        }
        Console.WriteLine($"{Directory.GetFiles(folder).Length} seed(s) in {folder}");
    }

    private static void Images(string folder)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        // the kit's own writer: 8/16-bit PNG and TIFF, 1 to 4 channels
        foreach (int c in new[] { 1, 2, 3, 4 })
            foreach (int bits in new[] { 8, 16 })
            {
                ImageIO.Write(Path.Combine(folder, $"c{c}b{bits}.png"), rand(c, 9, 7), bits);
                ImageIO.Write(Path.Combine(folder, $"c{c}b{bits}.tif"), rand(c, 9, 7), bits);
            }
        // SkiaSharp's encoders: JPEG (also with restart markers is not possible there), WebP, and an 8-bit palette-free PNG
        using var bitmap = new SKBitmap(16, 12, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var random = new Random(3);
        for (int y = 0; y < 12; y++) for (int x = 0; x < 16; x++) bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)(x * 16), (byte)(y * 20)));
        using var image = SKImage.FromBitmap(bitmap);
        foreach (var (format, ext) in new[] { (SKEncodedImageFormat.Jpeg, "jpg"), (SKEncodedImageFormat.Webp, "webp"), (SKEncodedImageFormat.Png, "skia.png") })
        {
            using var data = image.Encode(format, 80);
            File.WriteAllBytes(Path.Combine(folder, $"rgb.{ext}"), data.ToArray());
        }
        // BMP: 24-bit bottom-up, written by hand (no encoder in SkiaSharp)
        File.WriteAllBytes(Path.Combine(folder, "rgb.bmp"), Bmp(5, 4));
        // TIFF variants LibTiff.NET decodes through its RGBA path: 1-bit CCITT Group 4 and Group 3, LZW and PackBits palettes
        foreach (var (compression, name) in new[] { (Compression.CCITTFAX4, "g4"), (Compression.CCITTFAX3, "g3"), (Compression.PACKBITS, "packbits1") })
            File.WriteAllBytes(Path.Combine(folder, $"bilevel-{name}.tif"), BilevelTiff(32, 20, compression));
        File.WriteAllBytes(Path.Combine(folder, "tiled-lzw.tif"), TiledTiff());
    }

    private static byte[] Bmp(int w, int h)
    {
        int row = (w * 3 + 3) & ~3, size = 54 + row * h;
        var b = new byte[size];
        b[0] = (byte)'B'; b[1] = (byte)'M';
        BitConverter.GetBytes(size).CopyTo(b, 2);
        BitConverter.GetBytes(54).CopyTo(b, 10);
        BitConverter.GetBytes(40).CopyTo(b, 14);
        BitConverter.GetBytes(w).CopyTo(b, 18);
        BitConverter.GetBytes(h).CopyTo(b, 22);
        BitConverter.GetBytes((short)1).CopyTo(b, 26);
        BitConverter.GetBytes((short)24).CopyTo(b, 28);
        for (int i = 54; i < size; i++) b[i] = (byte)(i * 37);
        return b;
    }

    /// <summary>A 1-bit image (a few rectangles) in the given compression.</summary>
    public static byte[] BilevelTiff(int w, int h, Compression compression)
    {
        var stream = new MemoryStream();
        using (var tif = Tiff.ClientOpen("memory", "w", stream, new TiffStream()))
        {
            tif.SetField(TiffTag.IMAGEWIDTH, w);
            tif.SetField(TiffTag.IMAGELENGTH, h);
            tif.SetField(TiffTag.BITSPERSAMPLE, 1);
            tif.SetField(TiffTag.SAMPLESPERPIXEL, 1);
            tif.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISWHITE);
            tif.SetField(TiffTag.COMPRESSION, compression);
            tif.SetField(TiffTag.ROWSPERSTRIP, h);
            tif.SetField(TiffTag.FILLORDER, FillOrder.MSB2LSB);
            var line = new byte[(w + 7) / 8];
            for (int y = 0; y < h; y++)
            {
                for (int i = 0; i < line.Length; i++) line[i] = (byte)((y / 4 + i) % 3 == 0 ? 0xF0 : (y % 5 == 0 ? 0x3C : 0x00));
                tif.WriteScanline(line, y);
            }
            tif.WriteDirectory();
        }
        return stream.ToArray();
    }

    private static byte[] TiledTiff()
    {
        var stream = new MemoryStream();
        using (var tif = Tiff.ClientOpen("memory", "w", stream, new TiffStream()))
        {
            tif.SetField(TiffTag.IMAGEWIDTH, 20);
            tif.SetField(TiffTag.IMAGELENGTH, 18);
            tif.SetField(TiffTag.BITSPERSAMPLE, 8);
            tif.SetField(TiffTag.SAMPLESPERPIXEL, 1);
            tif.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
            tif.SetField(TiffTag.COMPRESSION, Compression.LZW);
            tif.SetField(TiffTag.TILEWIDTH, 16);
            tif.SetField(TiffTag.TILELENGTH, 16);
            var tile = new byte[16 * 16];
            for (int i = 0; i < tile.Length; i++) tile[i] = (byte)(i * 7);
            for (int ty = 0; ty < 18; ty += 16)
                for (int tx = 0; tx < 20; tx += 16)
                    tif.WriteTile(tile, tx, ty, 0, 0);
            tif.WriteDirectory();
        }
        return stream.ToArray();
    }

    private static void Checkpoints(string folder)
    {
        var (network, optimizer) = FuzzTargets.Model();
        using (var scope = NewDisposeScope())
        {
            // one optimizer step, so the checkpoint holds Adam's moment buffers too
            var x = rand(1, 3, 16, 16);
            network.train();
            var loss = network.call(x).sub(x).square().mean();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        var header = new CheckpointHeader { Model = "dncnn", Step = 1, Options = Presets.Load("smoke").ToJsonObject() };
        Checkpoint.Save(Path.Combine(folder, "dncnn-with-optimizer.ckpt"), header, network, optimizer);
        Checkpoint.Save(Path.Combine(folder, "dncnn-weights-only.ckpt"), header with { Step = 0 }, network, null);
        Console.WriteLine($"checkpoint seed: {new FileInfo(Path.Combine(folder, "dncnn-with-optimizer.ckpt")).Length:N0} bytes");
    }
}
