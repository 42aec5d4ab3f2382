using System.Buffers.Binary;
using BitMiracle.LibTiff.Classic;

namespace MedDeblur.Imaging;

/// <summary>TIFF reading and writing through LibTiff.NET: 8- and 16-bit gray, gray+alpha, RGB and RGBA, strips or tiles.</summary>
internal static class TiffCodec
{
    static TiffCodec() => Tiff.SetErrorHandler(new ThrowingHandler());

    /// <summary>Decoded samples: interleaved, row-major; 8-bit as 0..255, 16-bit as 0..65535.</summary>
    internal sealed record Decoded(int Width, int Height, int Channels, int BitDepth, ushort[] Samples);

    /// <summary>Width and height from the first directory, without reading pixels.</summary>
    public static (int Width, int Height) ReadSize(byte[] file)
    {
        using var tif = Open(file);
        return (Field(tif, TiffTag.IMAGEWIDTH, 0), Field(tif, TiffTag.IMAGELENGTH, 0));
    }

    /// <summary>Most samples per pixel a TIFF may declare (gray, RGB, CMYK and a few extra samples such as alpha).</summary>
    public const int MaxSamplesPerPixel = 8;

    /// <summary>Decodes the first image of the file.</summary>
    public static Decoded Decode(byte[] file)
    {
        using var tif = Open(file);
        int w = Field(tif, TiffTag.IMAGEWIDTH, 0), h = Field(tif, TiffTag.IMAGELENGTH, 0);
        int bits = Field(tif, TiffTag.BITSPERSAMPLE, 1), spp = Field(tif, TiffTag.SAMPLESPERPIXEL, 1);
        // LibTiff's RGBA conversion allocates rows of width x samples per pixel: a forged count would allocate gigabytes
        if (spp is < 1 or > MaxSamplesPerPixel)
            throw new NotSupportedException($"unsupported TIFF: {spp} samples per pixel (supported: 1-4, gray or RGB, optionally with alpha; " +
                                            $"up to {MaxSamplesPerPixel} through LibTiff's RGB conversion)");
        CheckBuffers(tif, file.Length, w, h, bits, spp);
        var photometric = (Photometric)Field(tif, TiffTag.PHOTOMETRIC, (int)Photometric.MINISBLACK);
        var planar = (PlanarConfig)Field(tif, TiffTag.PLANARCONFIG, (int)PlanarConfig.CONTIG);
        var format = (SampleFormat)Field(tif, TiffTag.SAMPLEFORMAT, (int)SampleFormat.UINT);
        if (w <= 0 || h <= 0) throw new InvalidDataException($"invalid TIFF size {w}x{h}");
        if (format is not (SampleFormat.UINT or SampleFormat.VOID))
            throw new NotSupportedException($"unsupported TIFF sample format {Describe(format)} ({bits}-bit, {spp} sample(s) per pixel); " +
                                            "supported: 8/16-bit unsigned integer gray or RGB, optionally with alpha");

        bool direct = format == SampleFormat.UINT && bits is 8 or 16 && spp is >= 1 and <= 4 &&
                      photometric is Photometric.MINISBLACK or Photometric.MINISWHITE or Photometric.RGB;
        if (!direct)
        {
            if (bits > 8)
                throw new NotSupportedException($"unsupported TIFF: {bits}-bit with photometric {photometric}, {spp} sample(s) per pixel " +
                                               "(supported: 8/16-bit unsigned gray or RGB, optionally with alpha)");
            return DecodeViaRgba(tif, w, h);
        }

        int bps = bits / 8;
        var samples = new ushort[(long)w * h * spp];
        if (tif.IsTiled())
        {
            int tw = Field(tif, TiffTag.TILEWIDTH, 0), th = Field(tif, TiffTag.TILELENGTH, 0);
            var tile = new byte[tif.TileSize()];
            int planes = planar == PlanarConfig.SEPARATE ? spp : 1, perPixel = planes == 1 ? spp : 1;
            for (short plane = 0; plane < planes; plane++)
                for (int ty = 0; ty < h; ty += th)
                    for (int tx = 0; tx < w; tx += tw)
                    {
                        if (tif.ReadTile(tile, 0, tx, ty, 0, plane) < 0) throw new InvalidDataException($"cannot read the tile at ({tx},{ty})");
                        for (int y = ty; y < Math.Min(ty + th, h); y++)
                            for (int x = tx; x < Math.Min(tx + tw, w); x++)
                                for (int s = 0; s < perPixel; s++)
                                {
                                    int src = (((y - ty) * tw + (x - tx)) * perPixel + s) * bps;
                                    samples[((long)y * w + x) * spp + (planes == 1 ? s : plane)] = Sample(tile, src, bps);
                                }
                    }
        }
        else if (planar == PlanarConfig.SEPARATE)
        {
            var line = new byte[tif.ScanlineSize()];
            for (short s = 0; s < spp; s++)
                for (int y = 0; y < h; y++)
                {
                    if (!tif.ReadScanline(line, y, s)) throw new InvalidDataException($"cannot read row {y} of sample plane {s}");
                    for (int x = 0; x < w; x++) samples[((long)y * w + x) * spp + s] = Sample(line, x * bps, bps);
                }
        }
        else
        {
            var line = new byte[tif.ScanlineSize()];
            for (int y = 0; y < h; y++)
            {
                if (!tif.ReadScanline(line, y)) throw new InvalidDataException($"cannot read row {y}");
                for (int i = 0; i < w * spp; i++) samples[(long)y * w * spp + i] = Sample(line, i * bps, bps);
            }
        }
        if (photometric == Photometric.MINISWHITE)
        {
            ushort max = (ushort)((1 << bits) - 1);
            for (long i = 0; i < samples.Length; i++) if (spp == 1 || i % spp == 0) samples[i] = (ushort)(max - samples[i]);
        }
        return new Decoded(w, h, spp, bits, samples);
    }

    /// <summary>Encodes interleaved samples as a Deflate-compressed TIFF.</summary>
    public static byte[] Encode(int width, int height, int channels, int bitDepth, ReadOnlySpan<ushort> samples)
    {
        if (channels is < 1 or > 4) throw new ArgumentException($"cannot write {channels} channels as TIFF");
        if (bitDepth is not (8 or 16)) throw new ArgumentException($"TIFF bit depth must be 8 or 16, got {bitDepth}");
        var stream = new MemoryStream();
        using (var tif = Tiff.ClientOpen("memory", "w", stream, new TiffStream()))
        {
            tif.SetField(TiffTag.IMAGEWIDTH, width);
            tif.SetField(TiffTag.IMAGELENGTH, height);
            tif.SetField(TiffTag.SAMPLESPERPIXEL, channels);
            tif.SetField(TiffTag.BITSPERSAMPLE, bitDepth);
            tif.SetField(TiffTag.PHOTOMETRIC, channels >= 3 ? Photometric.RGB : Photometric.MINISBLACK);
            if (channels is 2 or 4) tif.SetField(TiffTag.EXTRASAMPLES, 1, new short[] { (short)ExtraSample.UNASSALPHA });
            tif.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            tif.SetField(TiffTag.COMPRESSION, Compression.DEFLATE);
            tif.SetField(TiffTag.ROWSPERSTRIP, Math.Max(1, 65536 / Math.Max(1, width * channels * bitDepth / 8)));
            int bps = bitDepth / 8;
            var line = new byte[width * channels * bps];
            for (int y = 0; y < height; y++)
            {
                var row = samples.Slice(y * width * channels, width * channels);
                for (int i = 0; i < row.Length; i++)
                {
                    if (bps == 2) { line[2 * i] = (byte)row[i]; line[2 * i + 1] = (byte)(row[i] >> 8); }
                    else line[i] = (byte)row[i];
                }
                if (!tif.WriteScanline(line, y)) throw new IOException($"LibTiff failed to write row {y}");
            }
            tif.WriteDirectory();
        }
        return stream.ToArray();
    }

    private static Decoded DecodeViaRgba(Tiff tif, int w, int h)
    {
        var raster = new int[w * h];
        if (!tif.ReadRGBAImageOriented(w, h, raster, Orientation.TOPLEFT))
            throw new InvalidDataException("LibTiff cannot convert this TIFF to RGB");
        var samples = new ushort[(long)w * h * 3];
        for (int i = 0; i < raster.Length; i++)
        {
            samples[3 * i] = (ushort)Tiff.GetR(raster[i]);
            samples[3 * i + 1] = (ushort)Tiff.GetG(raster[i]);
            samples[3 * i + 2] = (ushort)Tiff.GetB(raster[i]);
        }
        return new Decoded(w, h, 3, 8, samples);
    }

    private static string Describe(SampleFormat format) => format switch
    {
        SampleFormat.IEEEFP => "floating point (IEEEFP)",
        SampleFormat.INT => "signed integer (INT)",
        SampleFormat.COMPLEXINT => "complex integer (COMPLEXINT)",
        SampleFormat.COMPLEXIEEEFP => "complex floating point (COMPLEXIEEEFP)",
        _ => format.ToString(),
    };

    private static Tiff Open(byte[] file)
    {
        CheckFirstDirectory(file);
        return Tiff.ClientOpen("memory", "r", new MemoryStream(file, writable: false), new TiffStream())
            ?? throw new InvalidDataException("LibTiff cannot open the file (corrupt or not a TIFF)");
    }

    /// <summary>
    /// LibTiff.NET allocates what a tag's count claims before reading it, so a damaged count (e.g. 2^30 extra samples)
    /// would allocate gigabytes from a small file. Every entry of the first directory must claim no more bytes than the
    /// whole file holds; the directory itself must lie inside the file.
    /// </summary>
    private static void CheckFirstDirectory(byte[] file)
    {
        if (file.Length < 8) throw new InvalidDataException("the file is truncated in its header");
        bool little = file[0] == (byte)'I';
        ulong U16(int at) => little ? BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at)) : BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(at));
        ulong U32(int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at));
        ulong U64(int at) => little ? BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at)) : BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan(at));
        bool big = U16(2) == 43;
        if (big && file.Length < 16) throw new InvalidDataException("the file is truncated in its header");
        ulong offset = big ? U64(8) : U32(4);
        int countSize = big ? 8 : 2, entrySize = big ? 20 : 12;
        if (offset + (ulong)countSize > (ulong)file.Length) throw new InvalidDataException($"the first directory offset {offset} lies outside the file");
        ulong entries = big ? U64((int)offset) : U16((int)offset);
        if ((ulong)(int)offset + (ulong)countSize + entries * (ulong)entrySize > (ulong)file.Length)
            throw new InvalidDataException($"the first directory claims {entries} entries, more than the file holds");
        for (ulong i = 0; i < entries; i++)
        {
            int at = (int)offset + countSize + (int)i * entrySize;
            ulong tag = U16(at), type = U16(at + 2), count = big ? U64(at + 4) : U32(at + 4);
            ulong size = type switch { 1 or 2 or 6 or 7 => 1, 3 or 8 => 2, 4 or 9 or 11 or 13 => 4, _ => 8 };
            if (count > (ulong)file.Length || count * size > (ulong)file.Length)
                throw new InvalidDataException($"tag {tag} claims {count:N0} values ({count * size:N0} bytes), more than the whole file ({file.Length:N0} bytes)");
            if (tag is not (StripOffsets or StripByteCounts or TileOffsets or TileByteCounts) || size is not (2 or 4 or 8)) continue;
            // LibTiff reads strips while it opens the file (the JPEG subsampling fixup) and sizes its buffer from these values
            int inline = big ? 8 : 4, valueField = at + (big ? 12 : 8);
            ulong data = count * size <= (ulong)inline ? (ulong)valueField : big ? U64(valueField) : U32(valueField);
            if (data + count * size > (ulong)file.Length) continue; // LibTiff reports a table outside the file itself
            for (ulong k = 0; k < count; k++)
            {
                int where = (int)(data + k * size);
                ulong value = size == 2 ? U16(where) : size == 4 ? U32(where) : U64(where);
                if (value > (ulong)file.Length)
                    throw new InvalidDataException($"tag {tag} ({(tag is StripOffsets or TileOffsets ? "offset" : "byte count")} of {(tag is StripOffsets or StripByteCounts ? "strip" : "tile")} {k}) is {value:N0}, beyond the whole file ({file.Length:N0} bytes)");
            }
        }
    }

    private const ulong StripOffsets = 273, StripByteCounts = 279, TileOffsets = 324, TileByteCounts = 325;

    /// <summary>
    /// Bounds what decoding allocates: no strip or tile may claim more compressed bytes than the file holds, and a decoded
    /// tile or row may not be absurdly larger than the image (a damaged tile size would allocate gigabytes).
    /// </summary>
    private static void CheckBuffers(Tiff tif, long fileLength, int w, int h, int bits, int spp)
    {
        int pieces = tif.IsTiled() ? tif.NumberOfTiles() : tif.NumberOfStrips();
        for (int i = 0; i < pieces; i++)
        {
            long raw = tif.RawStripSize(i);
            if (raw > fileLength) throw new InvalidDataException($"{(tif.IsTiled() ? "tile" : "strip")} {i} claims {raw:N0} bytes, more than the whole file ({fileLength:N0})");
        }
        long imageBytes = (long)w * h * Math.Max(1, spp) * Math.Max(1, bits) / 8;
        long bound = Math.Max(16L << 20, 4 * imageBytes);
        long piece = tif.IsTiled() ? tif.TileSize() : tif.ScanlineSize();
        if (piece < 0 || piece > bound)
            throw new InvalidDataException($"the {(tif.IsTiled() ? "tile" : "row")} size {piece:N0} bytes does not fit a {w}x{h} image");
    }

    private static int Field(Tiff tif, TiffTag tag, int fallback)
    {
        var value = tif.GetField(tag);
        return value is { Length: > 0 } ? value[0].ToInt() : fallback;
    }

    private static ushort Sample(byte[] buffer, int offset, int bytesPerSample) =>
        bytesPerSample == 2 ? (ushort)(buffer[offset] | buffer[offset + 1] << 8) : buffer[offset];

    /// <summary>Turns LibTiff's error callbacks into exceptions and silences its warnings.</summary>
    private sealed class ThrowingHandler : TiffErrorHandler
    {
        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args) =>
            throw new InvalidDataException($"{method}: {string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args)}");

        public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) =>
            ErrorHandler(tif, method, format, args);

        public override void WarningHandler(Tiff tif, string method, string format, params object[] args) { }

        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }
    }
}
