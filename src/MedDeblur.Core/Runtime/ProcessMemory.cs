namespace MedDeblur.Runtime;

/// <summary>Resident memory of this process, from <c>/proc/self/status</c> on Linux (the managed working set elsewhere).</summary>
public static class ProcessMemory
{
    /// <summary>Current resident set size in MiB.</summary>
    public static double ResidentMiB() => Read("VmRSS:") ?? Environment.WorkingSet / 1048576.0;

    /// <summary>Peak resident set size since the process started, in MiB.</summary>
    public static double PeakResidentMiB() =>
        Read("VmHWM:") ?? System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;

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
