using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace MedDeblur.Imaging;

/// <summary>
/// A small PNG codec for what SkiaSharp cannot do: decoding 16-bit PNG at full precision (SkiaSharp silently reduces it
/// to 8 bits) and writing 8- and 16-bit gray, gray+alpha, RGB and RGBA PNG. Handles 8/16-bit non-palette images, the five
/// filter types, Adam7 interlacing and checks every chunk's CRC.
/// </summary>
internal static class PngCodec
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The IHDR fields.</summary>
    internal readonly record struct Header(int Width, int Height, int BitDepth, int ColorType, int Interlace)
    {
        public int Channels => ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
    }

    /// <summary>Reads the IHDR chunk (the first chunk) without decoding anything else.</summary>
    public static Header ReadHeader(ReadOnlySpan<byte> file)
    {
        if (file.Length < 33 || !file[..8].SequenceEqual(Signature)) throw new InvalidDataException("not a PNG file (bad signature)");
        if (BinaryPrimitives.ReadInt32BigEndian(file[8..]) != 13 || Encoding.ASCII.GetString(file.Slice(12, 4)) != "IHDR")
            throw new InvalidDataException("the first chunk is not a valid IHDR");
        var h = new Header(
            BinaryPrimitives.ReadInt32BigEndian(file[16..]), BinaryPrimitives.ReadInt32BigEndian(file[20..]),
            file[24], file[25], file[28]);
        if (h.Width <= 0 || h.Height <= 0) throw new InvalidDataException($"invalid size {h.Width}x{h.Height} in IHDR");
        if (h.Channels == 0) throw new InvalidDataException($"invalid PNG colour type {h.ColorType}");
        return h;
    }

    /// <summary>
    /// Decodes an 8- or 16-bit non-palette PNG into interleaved samples (row-major, channels interleaved; 16-bit samples as
    /// 0..65535, 8-bit as 0..255).
    /// </summary>
    public static (Header Header, ushort[] Samples) Decode(byte[] file)
    {
        var header = ReadHeader(file);
        if (header.ColorType == 3) throw new InvalidDataException("palette PNG is not handled by the 16-bit decoder");
        if (header.BitDepth is not (8 or 16)) throw new InvalidDataException($"bit depth {header.BitDepth} is not handled by the 16-bit decoder");
        if (header.Interlace > 1) throw new InvalidDataException($"unknown interlace method {header.Interlace}");

        using var idat = new MemoryStream();
        int pos = 8;
        bool ended = false;
        while (!ended)
        {
            if (pos + 12 > file.Length) throw new InvalidDataException("the file is truncated (missing IEND)");
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(pos));
            if (length < 0 || pos + 12L + length > file.Length) throw new InvalidDataException("the file is truncated inside a chunk");
            var typeAndData = file.AsSpan(pos + 4, 4 + length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos + 8 + length));
            if (Crc32.HashToUInt32(typeAndData) != crc)
                throw new InvalidDataException($"CRC mismatch in chunk '{Encoding.ASCII.GetString(typeAndData[..4])}' (the file is corrupt)");
            string type = Encoding.ASCII.GetString(typeAndData[..4]);
            if (type == "IDAT") idat.Write(typeAndData[4..]);
            else if (type == "IEND") ended = true;
            pos += 12 + length;
        }

        int channels = header.Channels, bytesPerSample = header.BitDepth / 8, bpp = channels * bytesPerSample;
        // inflate into a buffer of exactly the size the header implies (filter byte + row per row of every pass), never
        // more: a small file whose data inflates to gigabytes (a decompression bomb) is refused after that many bytes
        long expected = Passes(header).Where(p => p.Columns > 0 && p.Rows > 0).Sum(p => (long)p.Rows * (1 + (long)p.Columns * bpp));
        if (expected > Array.MaxLength) throw new InvalidDataException($"the image ({header.Width}x{header.Height}) is too large to decode");
        var raw = new byte[expected];
        int filled = 0;
        try
        {
            idat.Position = 0;
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            while (filled < raw.Length)
            {
                int n = z.Read(raw, filled, raw.Length - filled);
                if (n == 0) break;
                filled += n;
            }
            if (filled == raw.Length && z.Read(new byte[1], 0, 1) > 0)
                throw new InvalidDataException($"the compressed image data inflates to more than the {expected:N0} bytes its " +
                                               $"{header.Width}x{header.Height} header allows (corrupt, or a decompression bomb)");
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("the compressed image data inflates", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"the compressed image data is corrupt ({e.Message})");
        }
        if (filled < raw.Length) throw new InvalidDataException("the image data is truncated");

        var samples = new ushort[(long)header.Width * header.Height * channels];
        int offset = 0;
        foreach (var pass in Passes(header))
        {
            int rowBytes = pass.Columns * bpp;
            if (pass.Columns == 0 || pass.Rows == 0) continue;
            var previous = new byte[rowBytes];
            var current = new byte[rowBytes];
            for (int r = 0; r < pass.Rows; r++)
            {
                byte filter = raw[offset];
                Array.Copy(raw, offset + 1, current, 0, rowBytes);
                offset += 1 + rowBytes;
                Unfilter(filter, current, previous, bpp);
                int y = pass.Y0 + r * pass.DY;
                for (int c = 0; c < pass.Columns; c++)
                {
                    int x = pass.X0 + c * pass.DX;
                    long dst = ((long)y * header.Width + x) * channels;
                    for (int s = 0; s < channels; s++)
                    {
                        int i = c * bpp + s * bytesPerSample;
                        samples[dst + s] = bytesPerSample == 2 ? (ushort)(current[i] << 8 | current[i + 1]) : current[i];
                    }
                }
                (previous, current) = (current, previous);
            }
        }
        return (header, samples);
    }

    /// <summary>Encodes interleaved samples (0..255 for 8-bit, 0..65535 for 16-bit) as a PNG file.</summary>
    public static byte[] Encode(int width, int height, int channels, int bitDepth, ReadOnlySpan<ushort> samples)
    {
        int colorType = channels switch { 1 => 0, 2 => 4, 3 => 2, 4 => 6, _ => throw new ArgumentException($"cannot write {channels} channels as PNG") };
        if (bitDepth is not (8 or 16)) throw new ArgumentException($"PNG bit depth must be 8 or 16, got {bitDepth}");
        int bps = bitDepth / 8, bpp = channels * bps, rowBytes = width * bpp;

        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var previous = new byte[rowBytes];
            var row = new byte[rowBytes];
            var candidate = new byte[rowBytes];
            var best = new byte[rowBytes];
            for (int y = 0; y < height; y++)
            {
                var src = samples.Slice(y * width * channels, width * channels);
                for (int i = 0; i < src.Length; i++)
                {
                    if (bps == 2) { row[2 * i] = (byte)(src[i] >> 8); row[2 * i + 1] = (byte)src[i]; }
                    else row[i] = (byte)src[i];
                }
                // libpng's heuristic: the filter whose output has the smallest sum of absolute (signed) bytes
                byte bestFilter = 0;
                long bestScore = long.MaxValue;
                for (byte f = 0; f < 5; f++)
                {
                    Filter(f, row, previous, bpp, candidate);
                    long score = 0;
                    foreach (byte b in candidate) score += b < 128 ? b : 256 - b;
                    if (score < bestScore) { bestScore = score; bestFilter = f; (best, candidate) = (candidate, best); }
                }
                z.WriteByte(bestFilter);
                z.Write(best);
                (previous, row) = (row, previous);
            }
        }

        using var png = new MemoryStream();
        png.Write(Signature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        WriteChunk(png, "IHDR", ihdr);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        stream.Write(buffer);
        var typeAndData = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, typeAndData);
        data.CopyTo(typeAndData, 4);
        stream.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(buffer, Crc32.HashToUInt32(typeAndData));
        stream.Write(buffer);
    }

    private readonly record struct Pass(int X0, int Y0, int DX, int DY, int Columns, int Rows);

    private static IEnumerable<Pass> Passes(Header h)
    {
        if (h.Interlace == 0)
        {
            yield return new Pass(0, 0, 1, 1, h.Width, h.Height);
            yield break;
        }
        int[][] adam7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
        foreach (var p in adam7)
        {
            int cols = (h.Width - p[0] + p[2] - 1) / p[2], rows = (h.Height - p[1] + p[3] - 1) / p[3];
            yield return new Pass(p[0], p[1], p[2], p[3], Math.Max(cols, 0), Math.Max(rows, 0));
        }
    }

    private static void Unfilter(byte filter, byte[] row, byte[] prior, int bpp)
    {
        switch (filter)
        {
            case 0: return;
            case 1: for (int i = bpp; i < row.Length; i++) row[i] += row[i - bpp]; return;
            case 2: for (int i = 0; i < row.Length; i++) row[i] += prior[i]; return;
            case 3:
                for (int i = 0; i < row.Length; i++) row[i] += (byte)(((i >= bpp ? row[i - bpp] : 0) + prior[i]) >> 1);
                return;
            case 4:
                for (int i = 0; i < row.Length; i++)
                    row[i] += Paeth(i >= bpp ? row[i - bpp] : (byte)0, prior[i], i >= bpp ? prior[i - bpp] : (byte)0);
                return;
            default: throw new InvalidDataException($"invalid row filter type {filter} (the file is corrupt)");
        }
    }

    private static void Filter(byte filter, byte[] row, byte[] prior, int bpp, byte[] output)
    {
        for (int i = 0; i < row.Length; i++)
        {
            byte left = i >= bpp ? row[i - bpp] : (byte)0, up = prior[i], upLeft = i >= bpp ? prior[i - bpp] : (byte)0;
            output[i] = filter switch
            {
                0 => row[i],
                1 => (byte)(row[i] - left),
                2 => (byte)(row[i] - up),
                3 => (byte)(row[i] - ((left + up) >> 1)),
                _ => (byte)(row[i] - Paeth(left, up, upLeft)),
            };
        }
    }

    private static byte Paeth(byte a, byte b, byte c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
