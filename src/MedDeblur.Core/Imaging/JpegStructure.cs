using System.Buffers.Binary;

namespace MedDeblur.Imaging;

/// <summary>
/// Checks the marker structure of a JPEG file before it is decoded. libjpeg-turbo (inside SkiaSharp) only warns about
/// damaged entropy-coded data ("Corrupt JPEG data: N extraneous bytes before marker"), fills what it cannot decode with
/// grey and reports success, so a file with random bytes in its middle would decode silently. Random or damaged bytes
/// inside the image data almost always break the rules checked here: inside a scan, 0xFF must be followed by 0x00
/// (byte stuffing), by another 0xFF (fill), by the next restart marker in sequence (only when a restart interval is
/// defined) or by a real marker; segments must fit in the file; the file must end with its end-of-image marker.
/// </summary>
internal static class JpegStructure
{
    /// <summary>Null when the structure is sound, else what is wrong (with the byte offset).</summary>
    public static string? Check(ReadOnlySpan<byte> file)
    {
        if (file.Length < 4 || file[0] != 0xFF || file[1] != 0xD8) return "no start-of-image marker";
        int pos = 2, restartInterval = 0;
        bool sawFrame = false;
        while (true)
        {
            if (pos >= file.Length) return "the file ends before its end-of-image marker (truncated)";
            if (file[pos] != 0xFF) return $"expected a marker at byte {pos}, found 0x{file[pos]:X2} (damaged data)";
            while (pos < file.Length && file[pos] == 0xFF) pos++; // fill bytes before a marker
            if (pos >= file.Length) return "the file ends before its end-of-image marker (truncated)";
            byte marker = file[pos++];
            int at = pos - 2;
            switch (marker)
            {
                case 0xD9:
                    return sawFrame ? null : "the end-of-image marker comes before any frame header";
                case 0xD8:
                    return $"a second start-of-image marker at byte {at}";
                case >= 0xD0 and <= 0xD7:
                    return $"restart marker RST{marker - 0xD0} at byte {at} outside the image data";
                case 0x01:
                    continue;
                case < 0xC0:
                    return $"invalid marker 0xFF{marker:X2} at byte {at}";
            }
            if (pos + 2 > file.Length) return $"the file ends inside the segment at byte {at} (truncated)";
            int length = BinaryPrimitives.ReadUInt16BigEndian(file[pos..]);
            if (length < 2) return $"invalid segment length {length} at byte {at}";
            if (pos + length > file.Length) return $"the segment at byte {at} (marker 0xFF{marker:X2}, {length} bytes) runs past the end of the file (truncated)";
            if (marker is (>= 0xC0 and <= 0xC3) or (>= 0xC5 and <= 0xC7) or (>= 0xC9 and <= 0xCB) or (>= 0xCD and <= 0xCF)) sawFrame = true;
            if (marker == 0xDD)
            {
                if (length < 4) return $"invalid restart-interval segment at byte {at}";
                restartInterval = BinaryPrimitives.ReadUInt16BigEndian(file[(pos + 2)..]);
            }
            pos += length;
            if (marker != 0xDA) continue;
            if (!sawFrame) return $"image data at byte {at} before any frame header";
            var (end, error) = ScanEnd(file, pos, restartInterval);
            if (error is not null) return error;
            pos = end;
        }
    }

    /// <summary>Walks the entropy-coded data of one scan; returns where the next marker starts, or what is wrong.</summary>
    private static (int End, string? Error) ScanEnd(ReadOnlySpan<byte> file, int pos, int restartInterval)
    {
        int expected = 0;
        while (true)
        {
            int ff = file[pos..].IndexOf((byte)0xFF);
            if (ff < 0) return (file.Length, "the file ends inside the image data (truncated)");
            pos += ff;
            if (pos + 1 >= file.Length) return (file.Length, "the file ends inside the image data (truncated)");
            byte next = file[pos + 1];
            if (next == 0x00) { pos += 2; continue; }
            if (next == 0xFF) { pos++; continue; }
            if (next is >= 0xD0 and <= 0xD7)
            {
                if (restartInterval == 0)
                    return (pos, $"restart marker RST{next - 0xD0} at byte {pos} in a file without restart intervals (damaged image data)");
                if (next - 0xD0 != expected)
                    return (pos, $"restart marker RST{next - 0xD0} at byte {pos} out of sequence (expected RST{expected}; damaged image data)");
                expected = (expected + 1) % 8;
                pos += 2;
                continue;
            }
            if (next < 0xC0 && next != 0x01)
                return (pos, $"invalid marker 0xFF{next:X2} at byte {pos} inside the image data (damaged image data)");
            return (pos, null);
        }
    }
}
