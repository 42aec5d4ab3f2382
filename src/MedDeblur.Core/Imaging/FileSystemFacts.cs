using System.Runtime.InteropServices;

namespace MedDeblur.Imaging;

/// <summary>What a path is on disk, as far as reading images is concerned.</summary>
public enum FileKind
{
    /// <summary>Nothing exists at the path (or a dangling symbolic link).</summary>
    Missing,

    /// <summary>A regular file (after following symbolic links).</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A FIFO, socket or device: opening it may block forever, so it is never read.</summary>
    Special,
}

/// <summary>
/// File-system facts .NET does not expose directly: the kind of a path (a FIFO looks like an empty regular file to
/// <see cref="FileInfo"/>) and its real path with every symbolic link resolved (to visit each folder once and to
/// recognise one image reachable under two paths).
/// </summary>
public static partial class FileSystemFacts
{
    /// <summary>The kind of <paramref name="path"/>, following symbolic links.</summary>
    public static FileKind KindOf(string path)
    {
        if (System.IO.Directory.Exists(path)) return FileKind.Directory;
        if (!File.Exists(path)) return FileKind.Missing;
        if (OperatingSystem.IsWindows()) return FileKind.Regular;
        // .NET's own native shim (libSystem.Native, shipped with every runtime): FileStatus.Mode at offset 4, S_IFMT bits
        // normalised to the POSIX values on every Unix
        Span<byte> status = stackalloc byte[512];
        if (SystemNativeStat(path, ref MemoryMarshal.GetReference(status)) != 0) return FileKind.Missing;
        int mode = BitConverter.ToInt32(status[4..8]) & 0xF000;
        return mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            _ => FileKind.Special,
        };
    }

    /// <summary>
    /// The canonical absolute path of an existing file or folder: every symbolic link in it resolved, <c>.</c> and
    /// <c>..</c> removed (POSIX <c>realpath</c>). Falls back to <see cref="Path.GetFullPath(string)"/> where that fails.
    /// </summary>
    public static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows()) return full;
        IntPtr resolved = RealPathNative(full, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return full;
        try
        {
            return Marshal.PtrToStringUTF8(resolved) ?? full;
        }
        finally
        {
            Free(resolved);
        }
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SystemNativeStat(string path, ref byte output);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr RealPathNative(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr pointer);
}
