using System.Runtime.InteropServices;

namespace MedDeblur.Runtime;

/// <summary>
/// glibc malloc settings that keep large tensor buffers on the heap. With glibc's defaults every tensor above 32 MB is
/// a fresh mmap whose pages fault in on first touch and are unmapped on free; on the reference machine that made a
/// batch-16 training step about 2x slower (environment/README.md, <c>meddeblur bench malloc</c>).
/// </summary>
public static partial class MallocTuning
{
    private const int MTrimThreshold = -1;
    private const int MTopPad = -2;
    private const int MMmapMax = -4;

    /// <summary>True once <see cref="Apply"/> has changed the settings in this process.</summary>
    public static bool Applied { get; private set; }

    /// <summary>
    /// Applies the settings on Linux/glibc (no-op elsewhere, or when <c>MEDDEBLUR_MALLOC_TUNING=0</c>). Call it first
    /// thing, before the first large allocation. Returns whether the settings are now active.
    /// </summary>
    public static bool Apply()
    {
        if (Applied) return true;
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MEDDEBLUR_MALLOC_TUNING") == "0")
            return false;
        try
        {
            bool ok = Mallopt(MMmapMax, 0) == 1;               // no mmap for big blocks
            ok &= Mallopt(MTrimThreshold, int.MaxValue) == 1;  // never give the heap top back
            ok &= Mallopt(MTopPad, 256 << 20) == 1;            // grow the heap 256 MB at a time
            Applied = ok;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Applied = false; // not glibc (e.g. musl): nothing to tune
        }
        return Applied;
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
