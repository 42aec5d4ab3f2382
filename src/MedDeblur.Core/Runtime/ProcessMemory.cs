namespace MedDeblur.Runtime;

/// <summary>Resident memory of this process, from <c>/proc/self/status</c> on Linux (the managed working set elsewhere).</summary>
public static class ProcessMemory
{
    /// <summary>Current resident set size in MiB.</summary>
    public static double ResidentMiB() => Read("VmRSS:") ?? Environment.WorkingSet / 1048576.0;

    /// <summary>Peak resident set size since start (or since <see cref="ResetPeak"/>) in MiB.</summary>
    public static double PeakResidentMiB() =>
        Read("VmHWM:") ?? System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;

    /// <summary>
    /// Resets the kernel's peak-RSS counter (Linux: writes 5 to <c>/proc/self/clear_refs</c>), so a benchmark can measure
    /// the peak of one phase. Returns false where that is not possible.
    /// </summary>
    public static bool ResetPeak()
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return false;
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static double? Read(string key)
    {
        if (!OperatingSystem.IsLinux()) return null;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
            var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0; // kB -> MiB
        }
        return null;
    }
}
