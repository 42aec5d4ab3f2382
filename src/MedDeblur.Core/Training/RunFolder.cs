using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedDeblur.Runtime;

namespace MedDeblur.Training;

/// <summary>
/// The folder of one run: <c>options.json</c> (everything that determines the run), <c>environment.json</c> (git commit,
/// machine, backend), <c>log.jsonl</c>, <c>checkpoints/</c> and results. Paths are created on demand.
/// </summary>
public sealed class RunFolder
{
    /// <summary>Opens (and creates) the run folder at <paramref name="path"/>.</summary>
    public RunFolder(string path)
    {
        Root = Path.GetFullPath(path);
        Directory.CreateDirectory(Root);
    }

    /// <summary>Absolute path of the folder.</summary>
    public string Root { get; }

    /// <summary>The run's options file.</summary>
    public string OptionsPath => Path.Combine(Root, "options.json");

    /// <summary>Machine, backend and source-revision description.</summary>
    public string EnvironmentPath => Path.Combine(Root, "environment.json");

    /// <summary>One JSON object per logged step.</summary>
    public string LogPath => Path.Combine(Root, "log.jsonl");

    /// <summary>Checkpoints folder.</summary>
    public string CheckpointsPath => Directory.CreateDirectory(Path.Combine(Root, "checkpoints")).FullName;

    /// <summary>A path inside the run folder (sub-folders are created).</summary>
    public string File(params string[] parts)
    {
        string path = Path.Combine([Root, .. parts]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>Writes <c>environment.json</c>: git commit (if the kit runs from a git checkout), machine, backend.</summary>
    public void WriteEnvironment(string device)
    {
        var info = TorchRuntime.Describe(device);
        var node = JsonSerializer.SerializeToNode(info, JsonDefaults.Options)!.AsObject();
        node["gitCommit"] = GitCommit();
        node["machine"] = Environment.MachineName;
        node["startedUtc"] = DateTime.UtcNow.ToString("O");
        node["commandLine"] = Environment.CommandLine;
        AtomicFile.WriteAllText(EnvironmentPath, node.ToJsonString(JsonDefaults.Indented));
    }

    /// <summary>The current git commit of the working directory's repository (with <c>+dirty</c>), or null.</summary>
    public static string? GitCommit()
    {
        try
        {
            var start = new ProcessStartInfo("git", "rev-parse HEAD") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var git = Process.Start(start);
            if (git is null) return null;
            string head = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit(5000);
            if (git.ExitCode != 0 || head.Length == 0) return null;
            var status = new ProcessStartInfo("git", "status --porcelain --untracked-files=no") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var st = Process.Start(status);
            string dirty = st?.StandardOutput.ReadToEnd().Trim() ?? "";
            st?.WaitForExit(5000);
            return dirty.Length > 0 ? head + "+dirty" : head;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // git not installed
        }
    }
}

/// <summary>Appends one JSON object per line to a log file, flushed after each line (safe to tail while running).</summary>
public sealed class JsonlLog : IDisposable
{
    private readonly StreamWriter writer;

    /// <summary>Opens <paramref name="path"/> for appending.</summary>
    public JsonlLog(string path)
    {
        writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    /// <summary>Writes one record.</summary>
    public void Write<T>(T record) => writer.WriteLine(JsonSerializer.Serialize(record, JsonDefaults.Options));

    /// <summary>Reads every record of a log file (for curves and notebooks); a torn last line is skipped.</summary>
    public static IReadOnlyList<JsonObject> Read(string path)
    {
        var records = new List<JsonObject>();
        foreach (var line in System.IO.File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try { if (JsonNode.Parse(line) is JsonObject o) records.Add(o); }
            catch (JsonException) { /* a line being written when the run stopped */ }
        }
        return records;
    }

    /// <inheritdoc />
    public void Dispose() => writer.Dispose();
}
