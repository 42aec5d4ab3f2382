using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedDeblur.Configuration;
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

    /// <summary>
    /// Throws when the folder's <c>options.json</c> exists and differs from <paramref name="requested"/> (the device and
    /// the description aside), naming the folder, both presets and the differing sections: results trained with other
    /// options must never be reused under the requested preset's name.
    /// </summary>
    public void RefuseOtherOptions(RunOptions requested)
    {
        if (!System.IO.File.Exists(OptionsPath)) return;
        string text = System.IO.File.ReadAllText(OptionsPath);
        var stored = RunOptions.Parse(text, OptionsPath);
        var a = (stored with { Device = requested.Device, Description = requested.Description }).ToJsonObject();
        var b = requested.ToJsonObject();
        // folders written before the downstream section existed continue with the requested one (it changes no training)
        if (JsonNode.Parse(text) is JsonObject raw && !raw.ContainsKey("downstream")) a["downstream"] = b["downstream"]?.DeepClone();
        var differing = b.Select(p => p.Key).Where(k => !JsonNode.DeepEquals(a[k], b[k])).ToArray();
        if (differing.Length > 0)
            throw new MedDeblurException($"{Root} holds a run made with other options (stored preset '{stored.Name}', requested preset '{requested.Name}'; " +
                $"differing: {string.Join(", ", differing)}): choose another output folder or delete this one");
    }

    /// <summary>Writes <c>environment.json</c>: git commit the kit was built from (or null), machine, backend.</summary>
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

    /// <summary>The git commit the kit was built from (with <c>+dirty</c> when tracked files were modified), embedded at
    /// build time (MedDeblur.Core.csproj), or null when it was built without git or outside a git checkout.</summary>
    public static string? GitCommit() =>
        typeof(RunFolder).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "GitCommit")?.Value;
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

    /// <summary>
    /// Keeps only the records of steps up to <paramref name="step"/> (atomic rewrite; a missing log is left missing): a run
    /// resumed from its checkpoint at that step logs the later steps again, so curves would otherwise show them twice.
    /// </summary>
    public static void TruncateAfter(string path, int step)
    {
        if (!System.IO.File.Exists(path)) return;
        var lines = System.IO.File.ReadAllLines(path);
        var kept = lines.Where(line => Step(line) is int s && s <= step).ToArray();
        if (kept.Length < lines.Length) AtomicFile.WriteAllText(path, kept.Length == 0 ? "" : string.Join('\n', kept) + "\n");

        static int? Step(string line)
        {
            try { return JsonNode.Parse(line)?["step"]?.GetValue<int>(); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { return null; } // torn line
        }
    }

    /// <inheritdoc />
    public void Dispose() => writer.Dispose();
}
