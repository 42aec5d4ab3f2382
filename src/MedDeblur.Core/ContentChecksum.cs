using System.Security.Cryptography;

namespace MedDeblur;

/// <summary>What the integrity check of a checkpoint or weights file found.</summary>
public enum FileIntegrity
{
    /// <summary>Not checked (e.g. only the header was read).</summary>
    Unchecked,

    /// <summary>The file ends with a SHA-256 checksum of its content, and the content matches it.</summary>
    Verified,

    /// <summary>The file has no checksum (written by a version of the kit before checksums): read without an integrity check.</summary>
    NoChecksum,
}

/// <summary>
/// The checksum trailer of the kit's checkpoint and weights files: the 8 bytes <c>MDSHA256</c> followed by the SHA-256
/// of every byte before them, appended as the file's last 40 bytes. A flipped byte anywhere in the file (content or
/// trailer) or a cut file no longer matches.
/// </summary>
public static class ContentChecksum
{
    /// <summary>Length of the trailer in bytes.</summary>
    public const int TrailerLength = 40;

    private static ReadOnlySpan<byte> Marker => "MDSHA256"u8;

    /// <summary>Appends the trailer to <paramref name="stream"/> (readable and seekable): the hash of its whole content so far.</summary>
    public static void Append(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Flush();
        long end = stream.Length;
        stream.Position = 0;
        byte[] hash = Hash(stream, end);
        stream.Position = end;
        stream.Write(Marker);
        stream.Write(hash);
    }

    /// <summary>
    /// Checks the trailer of <paramref name="path"/>: <see cref="FileIntegrity.Verified"/> when it matches,
    /// <see cref="FileIntegrity.NoChecksum"/> when the file has none; throws <see cref="InvalidDataException"/> (with the
    /// reason) when the content does not match its checksum.
    /// </summary>
    public static FileIntegrity Verify(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Verify(stream);
    }

    /// <summary>As <see cref="Verify(string)"/> for an open, seekable stream (read from its start; position restored).</summary>
    public static FileIntegrity Verify(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long position = stream.Position, length = stream.Length;
        try
        {
            if (length < TrailerLength) return FileIntegrity.NoChecksum;
            Span<byte> trailer = stackalloc byte[TrailerLength];
            stream.Position = length - TrailerLength;
            stream.ReadExactly(trailer);
            if (!trailer[..8].SequenceEqual(Marker)) return FileIntegrity.NoChecksum;
            stream.Position = 0;
            byte[] hash = Hash(stream, length - TrailerLength);
            if (!trailer[8..].SequenceEqual(hash))
                throw new InvalidDataException("the file is damaged: its content does not match its SHA-256 checksum (changed bytes or a bad copy)");
            return FileIntegrity.Verified;
        }
        finally
        {
            stream.Position = position;
        }
    }

    /// <summary>True when the file's last bytes are a checksum trailer (whether or not it matches).</summary>
    public static bool HasTrailer(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.Length < TrailerLength) return false;
        long position = stream.Position;
        Span<byte> marker = stackalloc byte[8];
        stream.Position = stream.Length - TrailerLength;
        stream.ReadExactly(marker);
        stream.Position = position;
        return marker.SequenceEqual(Marker);
    }

    private static byte[] Hash(Stream stream, long count)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        while (count > 0)
        {
            int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (n == 0) throw new EndOfStreamException();
            sha.AppendData(buffer, 0, n);
            count -= n;
        }
        return sha.GetHashAndReset();
    }
}
