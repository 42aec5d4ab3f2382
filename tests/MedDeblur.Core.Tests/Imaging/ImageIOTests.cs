using BitMiracle.LibTiff.Classic;
using MedDeblur.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Imaging;

public sealed class ImageIOTests : TempFolderTest
{
    public static IEnumerable<object[]> IndependentFiles()
    {
        using var doc = Fixture.Json("Imaging", "expected.json");
        foreach (var image in doc.RootElement.GetProperty("images").EnumerateArray())
            yield return [image.GetProperty("file").GetString()!];
    }

    [Theory]
    [MemberData(nameof(IndependentFiles))]
    public void Files_written_by_OpenCV_and_PIL_read_back_with_exact_values(string file)
    {
        using var doc = Fixture.Json("Imaging", "expected.json");
        var expected = doc.RootElement.GetProperty("images").EnumerateArray().First(e => e.GetProperty("file").GetString() == file);
        int bits = expected.GetProperty("bits").GetInt32(), channels = expected.GetProperty("channels").GetInt32();
        double max = bits == 16 ? 65535 : 255;
        using var image = ImageIO.Read(Fixture.Path("Imaging", file));
        Assert.Equal(bits, image.BitDepth);
        Assert.Equal(channels, image.StoredChannels);
        Assert.Equal(expected.GetProperty("width").GetInt32(), image.Width);
        Assert.Equal(expected.GetProperty("height").GetInt32(), image.Height);
        using var all = image.Alpha is null ? image.Pixels.alias() : cat([image.Pixels, image.Alpha], 0);
        var values = all.to_type(ScalarType.Float64).mul(max).round().data<double>().ToArray();
        var samples = expected.GetProperty("samples").EnumerateArray().SelectMany(p => p.EnumerateArray().SelectMany(r => r.EnumerateArray()))
            .Select(v => (double)v.GetInt32()).ToArray();
        Assert.Equal(samples, values);
    }

    [Fact]
    public void Sixteen_bit_png_keeps_values_that_eight_bits_would_lose()
    {
        using var image = ImageIO.Read(Fixture.Path("Imaging", "gray16.png"));
        Assert.Equal(1320.0, Math.Round(image.Pixels[0, 0, 2].item<float>() * 65535.0));
    }

    [Theory]
    [InlineData(1, 8, ".png")]
    [InlineData(3, 8, ".png")]
    [InlineData(4, 8, ".png")]
    [InlineData(2, 8, ".png")]
    [InlineData(1, 16, ".png")]
    [InlineData(3, 16, ".png")]
    [InlineData(4, 16, ".png")]
    [InlineData(1, 8, ".tif")]
    [InlineData(3, 16, ".tif")]
    [InlineData(4, 16, ".tiff")]
    public void Writing_then_reading_round_trips_exactly(int channels, int bits, string ext)
    {
        using var scope = NewDisposeScope();
        double max = bits == 16 ? 65535 : 255;
        var levels = randint(0, (long)max + 1, [channels, 23, 31], generator: new Generator((ulong)(channels * 100 + bits)), dtype: ScalarType.Float64);
        var original = (levels / max).to_type(ScalarType.Float32);
        string path = Path.Combine(Temp, $"rt{channels}_{bits}{ext}");
        ImageIO.Write(path, original, bits);
        using var back = ImageIO.Read(path);
        Assert.Equal(bits, back.BitDepth);
        Assert.Equal(channels, back.StoredChannels);
        var all = back.Alpha is null ? back.Pixels : cat([back.Pixels, back.Alpha], 0);
        Assert.Equal(0.0, (all.to_type(ScalarType.Float64).mul(max).round() - levels).abs().max().item<double>());
    }

    [Fact]
    public void Every_sample_image_reads_with_its_documented_size_and_channels()
    {
        string root = Path.Combine(Fixture.RepositoryRoot(), "data", "samples");
        var files = Directory.GetFiles(root, "*.png", SearchOption.AllDirectories);
        Assert.Equal(55, files.Length);
        string provenance = File.ReadAllText(Path.Combine(root, "PROVENANCE.md"));
        foreach (var file in files)
        {
            using var image = ImageIO.Read(file);
            Assert.Equal(8, image.BitDepth);
            Assert.InRange(image.Pixels.min().item<float>(), 0f, 1f);
            // PROVENANCE.md's row: | relative/path.png | WxH[ RGB] | ...
            string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            var row = System.Text.RegularExpressions.Regex.Match(provenance, $@"\| {System.Text.RegularExpressions.Regex.Escape(relative)} \| (\d+)x(\d+)( RGB)? \|");
            Assert.True(row.Success, relative);
            Assert.Equal((int.Parse(row.Groups[1].Value), int.Parse(row.Groups[2].Value), row.Groups[3].Success ? 3 : 1),
                (image.Width, image.Height, image.Channels));
        }
        using var ihc = ImageIO.Read(Fixture.Sample("microscopy/ihc_colon_fhl2.png"));
        Assert.Equal((512, 512, 3), (ihc.Width, ihc.Height, ihc.Channels));
        using var colin = ImageIO.Read(Fixture.Sample("mri/colin27_t1_ax_z050.png"));
        Assert.Equal((181, 217, 1), (colin.Width, colin.Height, colin.Channels));
    }

    [Fact]
    public void Gray_is_replicated_for_the_network_and_folded_back_by_the_mean()
    {
        using var scope = NewDisposeScope();
        var gray = rand(1, 5, 6);
        var rgb = ImageIO.ToRgb(gray);
        Assert.Equal(new long[] { 3, 5, 6 }, rgb.shape);
        Assert.True(ImageIO.FromRgb(rgb, 1).allclose(gray));
        Assert.Equal(new long[] { 2, 3, 5, 6 }, ImageIO.ToRgb(rand(2, 1, 5, 6)).shape);
    }

    private string Malformed(string name, byte[] bytes)
    {
        string path = Path.Combine(Temp, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] SamplePng => File.ReadAllBytes(Fixture.Sample("mri/brain_pd_fse_s05.png"));

    private static void AssertLoadError(string path, string reasonPart)
    {
        var e = Assert.Throws<ImageLoadException>(() => ImageIO.Read(path).Dispose());
        Assert.Contains(path, e.Message);
        Assert.Contains(reasonPart, e.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Missing_file_is_reported_with_its_path() => AssertLoadError(Path.Combine(Temp, "nope.png"), "does not exist");

    [Fact]
    public void Empty_file_is_reported() => AssertLoadError(Malformed("empty.png", []), "empty");

    [Fact]
    public void Text_file_with_png_extension_is_an_unsupported_format() =>
        AssertLoadError(Malformed("notes.png", "hello, this is not an image"u8.ToArray()), "unsupported");

    [Fact]
    public void Truncated_8_bit_png_is_reported() =>
        AssertLoadError(Malformed("cut.png", SamplePng[..(SamplePng.Length / 2)]), "truncated");

    [Fact]
    public void Truncated_16_bit_png_is_reported()
    {
        var bytes = File.ReadAllBytes(Fixture.Path("Imaging", "rgb16.png"));
        AssertLoadError(Malformed("cut16.png", bytes[..(bytes.Length - 40)]), "truncated");
    }

    [Fact]
    public void Corrupt_image_data_is_reported()
    {
        var bytes = SamplePng;
        for (int i = 200; i < 260; i++) bytes[i] ^= 0x5A; // inside the first IDAT
        AssertLoadError(Malformed("corrupt.png", bytes), "corrupt");
    }

    [Fact]
    public void Corrupt_16_bit_png_fails_its_crc()
    {
        var bytes = File.ReadAllBytes(Fixture.Path("Imaging", "gray16.png"));
        bytes[60] ^= 0xFF;
        AssertLoadError(Malformed("crc16.png", bytes), "corrupt");
    }

    [Fact]
    public void Truncated_tiff_is_reported()
    {
        var bytes = File.ReadAllBytes(Fixture.Path("Imaging", "rgb16.tif"));
        AssertLoadError(Malformed("cut.tif", bytes[..20]), "corrupt or truncated");
    }

    /// <summary>A real TIFF written by LibTiff.NET: 4x3 gray, <paramref name="bits"/> per sample of <paramref name="format"/>.</summary>
    private string WriteTiff(string name, SampleFormat format, int bits)
    {
        string path = Path.Combine(Temp, name);
        using (var tif = Tiff.Open(path, "w"))
        {
            tif.SetField(TiffTag.IMAGEWIDTH, 4);
            tif.SetField(TiffTag.IMAGELENGTH, 3);
            tif.SetField(TiffTag.SAMPLESPERPIXEL, 1);
            tif.SetField(TiffTag.BITSPERSAMPLE, bits);
            tif.SetField(TiffTag.SAMPLEFORMAT, format);
            tif.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
            tif.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            tif.SetField(TiffTag.ROWSPERSTRIP, 3);
            var row = new byte[4 * bits / 8];
            if (format == SampleFormat.IEEEFP) Buffer.BlockCopy(new[] { 0.1f, 0.5f, 0.9f, 1.0f }, 0, row, 0, row.Length);
            for (int y = 0; y < 3; y++) Assert.True(tif.WriteScanline(row, y));
        }
        return path;
    }

    [Theory]
    [InlineData(SampleFormat.IEEEFP, 32, "floating point")]
    [InlineData(SampleFormat.INT, 16, "signed integer")]
    [InlineData(SampleFormat.INT, 8, "signed integer")]
    public void Float_and_signed_tiffs_are_an_unsupported_sample_format_not_corrupt(SampleFormat format, int bits, string named)
    {
        string path = WriteTiff($"{format}{bits}.tif", format, bits);
        var e = Assert.Throws<ImageLoadException>(() => ImageIO.Read(path).Dispose());
        Assert.Contains(path, e.Message);
        Assert.StartsWith($"unsupported TIFF sample format {named}", e.Reason);
        Assert.Contains($"{bits}-bit", e.Reason);
        Assert.DoesNotContain("corrupt", e.Reason);
        // the same writer with unsigned samples gives a readable file, so the refusal is about the sample format alone
        using var ok = ImageIO.Read(WriteTiff($"uint{bits}.tif", SampleFormat.UINT, bits is 32 ? 16 : bits));
        Assert.Equal((4, 3, 1), (ok.Width, ok.Height, ok.Channels));
    }

    [Fact]
    public void Image_over_the_pixel_limit_is_refused_before_decoding()
    {
        var e = Assert.Throws<ImageLoadException>(() => ImageIO.Read(Fixture.Sample("mri/brain_pd_fse_s05.png"), new ImageReadOptions { MaxPixels = 1000 }));
        Assert.Contains("65,536 pixels", e.Message);
        Assert.Contains("1,000", e.Message);
        var t = Assert.Throws<ImageLoadException>(() => ImageIO.Read(Fixture.Path("Imaging", "rgb16.tif"), new ImageReadOptions { MaxPixels = 100 }));
        Assert.Contains("over the limit", t.Reason);
    }

    [Fact]
    public void Writing_is_atomic_and_rejects_unknown_extensions()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => ImageIO.Write(Path.Combine(Temp, "x.jpg"), rand(3, 4, 4)));
        Assert.Contains("x.jpg", e.Message);
        ImageIO.Write(Path.Combine(Temp, "a.png"), rand(3, 4, 4));
        Assert.Equal(new[] { "a.png" }, Directory.GetFiles(Temp).Select(f => Path.GetFileName(f)!).ToArray());
    }
}
