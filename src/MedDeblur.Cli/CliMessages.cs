using MedDeblur.Data;
using MedDeblur.Imaging;
using MedDeblur.Training;

namespace MedDeblur.Cli;

/// <summary>
/// Words the library's typed errors for the command line: the library says which setting or folder is wrong and why, this
/// class names the option to change and the command to run.
/// </summary>
public static class CliMessages
{
    /// <summary>The option of each library setting that a verb exposes (<see cref="SettingException.Setting"/>).</summary>
    private static readonly Dictionary<string, string> Options = new(StringComparer.Ordinal)
    {
        ["TileOptions.TileSize"] = "--tile",
        ["TileOptions.Overlap"] = "--overlap",
        ["ImageReadOptions.MaxPixels"] = "--max-pixels",
        ["ImageFiles.Root"] = "--root",
        ["Shard"] = "--shard",
    };

    /// <summary>The option that sets <paramref name="setting"/>, or null when no verb exposes it.</summary>
    public static string? OptionFor(string setting) => Options.GetValueOrDefault(setting);

    /// <summary>The message of <paramref name="error"/> as the command line shows it.</summary>
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error switch
        {
            SettingException s when OptionFor(s.Setting) is { } option => $"{s.Problem} ({option})",
            RunFolderException { Problem: RunFolderProblem.HoldsCheckpointedRun } r =>
                $"{r.Folder} already holds a run with checkpoints (latest {Path.GetFileName(r.LatestCheckpoint)}): " +
                $"continue it with 'meddeblur train --resume {r.Folder}' or choose another --output",
            RunFolderException { Problem: RunFolderProblem.NoCheckpointToResume } r =>
                $"{r.Folder} holds no checkpoint to resume from (the run stopped before its first checkpoint): " +
                $"start it afresh with 'meddeblur train --output {r.Folder}' (without --resume)",
            ImageLoadException { PixelLimit: not null } i => $"{i.Message}; --max-pixels raises the limit",
            SampleDataNotFoundException d => $"{d.Message}; pass --data DIR",
            _ => error.Message,
        };
    }

    /// <summary>Parses the <c>--shard</c> value "i/n" (0-based i).</summary>
    /// <exception cref="ArgumentException">Not of the form i/n with 0 &lt;= i &lt; n.</exception>
    public static Inference.Shard ParseShard(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int i) || !int.TryParse(parts[1], out int n) || n < 1 || i < 0 || i >= n)
            throw new ArgumentException($"--shard '{text}' must be i/n with 0 <= i < n, e.g. 0/4");
        return new Inference.Shard(i, n);
    }
}
