using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Runtime;

namespace MedDeblur.Training;

/// <summary>What is given on top of a preset (the command line's options, a notebook's parameters); null = the preset's.</summary>
public sealed record RunOverrides
{
    /// <summary>Registry name of the network to train.</summary>
    public string? Model { get; init; }

    /// <summary>Dataset root (made absolute); null or blank = the preset's (the embedded sample set by default).</summary>
    public string? DataRoot { get; init; }

    /// <summary>Training steps.</summary>
    public int? Steps { get; init; }

    /// <summary>Images per training step.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Device: auto, cpu, cuda or cuda:N.</summary>
    public string? Device { get; init; }

    /// <summary><paramref name="options"/> with these overrides applied.</summary>
    public RunOptions ApplyTo(RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(Model)) options = options with { Model = Model.Trim() };
        if (!string.IsNullOrWhiteSpace(DataRoot)) options = options with { Data = options.Data with { Root = Path.GetFullPath(DataRoot.Trim()) } };
        if (Steps is int steps) options = options with { Training = options.Training with { Steps = steps } };
        if (BatchSize is int batch) options = options with { Training = options.Training with { BatchSize = batch } };
        if (!string.IsNullOrWhiteSpace(Device)) options = options with { Device = Device.Trim() };
        return options;
    }
}

/// <summary>What is wrong with a run folder for what was asked of it.</summary>
public enum RunFolderProblem
{
    /// <summary>A new run was asked for, but the folder holds a run with checkpoints (it can be resumed).</summary>
    HoldsCheckpointedRun,

    /// <summary>A resume was asked for, but the run stopped before its first checkpoint (it can be started afresh).</summary>
    NoCheckpointToResume,
}

/// <summary>A run folder cannot be used as asked; carries the folder and the problem, each front end says what to do.</summary>
public sealed class RunFolderException : MedDeblurException
{
    /// <summary>Creates the exception.</summary>
    public RunFolderException(string folder, RunFolderProblem problem, string? latestCheckpoint = null)
        : base(problem switch
        {
            RunFolderProblem.HoldsCheckpointedRun =>
                $"{folder} already holds a run with checkpoints (latest {Path.GetFileName(latestCheckpoint)}): resume it or choose another folder",
            _ => $"{folder} holds no checkpoint to resume from (the run stopped before its first checkpoint): start it afresh in the same folder",
        })
    {
        Folder = folder;
        Problem = problem;
        LatestCheckpoint = latestCheckpoint;
    }

    /// <summary>The run folder (absolute).</summary>
    public string Folder { get; }

    /// <summary>What is wrong.</summary>
    public RunFolderProblem Problem { get; }

    /// <summary>The folder's latest checkpoint, when there is one.</summary>
    public string? LatestCheckpoint { get; }
}

/// <summary>
/// The folder of one run, the one place that knows its layout: <c>options.json</c> (everything that determines the run,
/// a preset with its overrides applied once), <c>environment.json</c> (git commit, machine, backend), <c>log.jsonl</c>,
/// <c>checkpoints/</c> (<c>step-NNNNNNN.ckpt</c>, the last K kept, and <c>best.ckpt</c>), <c>runs/MODEL/</c> (the networks
/// of a reproduce run, each a run folder itself), <c>stages/NAME.json</c> (finished pipeline stages) and results. Paths
/// are created on demand.
/// </summary>
public sealed class RunFolder
{
    /// <summary>Opens (and creates) the run folder at <paramref name="path"/>.</summary>
    public RunFolder(string path) : this(path, create: true) { }

    private RunFolder(string path, bool create)
    {
        Root = Path.GetFullPath(path);
        if (create) Directory.CreateDirectory(Root);
    }

    /// <summary>The run folder at <paramref name="path"/> for looking only: nothing is created.</summary>
    public static RunFolder At(string path) => new(path, create: false);

    /// <summary>Absolute path of the folder.</summary>
    public string Root { get; }

    /// <summary>The run's options file.</summary>
    public string OptionsPath => Path.Combine(Root, "options.json");

    /// <summary>Machine, backend and source-revision description.</summary>
    public string EnvironmentPath => Path.Combine(Root, "environment.json");

    /// <summary>Where a fine-tuned run records the weights it started from (<c>initial-weights.json</c>).</summary>
    public string InitialWeightsPath => Path.Combine(Root, "initial-weights.json");

    /// <summary>One JSON object per logged step.</summary>
    public string LogPath => Path.Combine(Root, "log.jsonl");

    /// <summary>Checkpoints folder (created).</summary>
    public string CheckpointsPath => Directory.CreateDirectory(Path.Combine(Root, "checkpoints")).FullName;

    /// <summary>The checkpoint with the best validation PSNR (it may not exist).</summary>
    public string BestCheckpointPath => Path.Combine(Root, "checkpoints", "best.ckpt");

    /// <summary>A path inside the run folder (sub-folders are created).</summary>
    public string File(params string[] parts)
    {
        string path = Path.Combine([Root, .. parts]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>
    /// The options of a run: the preset <paramref name="preset"/> (name or .json path) with <paramref name="overrides"/>
    /// applied, validated. Every front end resolves its options here, so they are applied the same way once.
    /// </summary>
    public static RunOptions ReadOptions(string preset, RunOverrides? overrides = null) =>
        (overrides ?? new RunOverrides()).ApplyTo(Presets.Load(preset)).Validate();

    /// <summary>The options stored in this folder's <c>options.json</c>.</summary>
    /// <exception cref="MedDeblurException">The folder holds no run.</exception>
    public RunOptions ReadOptions() => StoredOptions() ?? throw new MedDeblurException($"{Root} holds no run (no options.json)");

    /// <summary>The options stored in this folder's <c>options.json</c>, or null when there is none.</summary>
    public RunOptions? StoredOptions() =>
        System.IO.File.Exists(OptionsPath) ? RunOptions.Parse(System.IO.File.ReadAllText(OptionsPath), OptionsPath) : null;

    /// <summary>
    /// Begins (or continues) a run with <paramref name="options"/>: refuses a folder made with other options
    /// (<see cref="RefuseOtherOptions"/>), then writes <c>options.json</c> and <c>environment.json</c>.
    /// </summary>
    public void Begin(RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RefuseOtherOptions(options);
        AtomicFile.WriteAllText(OptionsPath, options.ToJson());
        WriteEnvironment(options.Device);
    }

    /// <summary>The dataset of a run: its root (the embedded sample set by default) with the preset's split ratios.</summary>
    public static ImageFolderDataset OpenDataset(RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ImageFolderDataset.Open(options.Data.Root ?? SampleData.Root, options.Data.Split);
    }

    /// <summary>The run folder of network <paramref name="model"/> inside this one: <c>runs/MODEL</c> (not created).</summary>
    public string NetworkRunPath(string model) => Path.Combine(Root, "runs", model);

    /// <summary>Where a reproduce run keeps the shipped weights it took for <paramref name="model"/> instead of training
    /// it: <c>shipped/MODEL</c> (the weights and manifest under their shipped names, the training run's <c>log.jsonl</c>;
    /// not created).</summary>
    public string ShippedRunPath(string model) => Path.Combine(Root, "shipped", model);

    /// <summary>The record of a finished pipeline stage: <c>stages/NAME.json</c> (not created).</summary>
    public string StagePath(string stage) => Path.Combine(Root, "stages", stage + ".json");

    /// <summary>The checkpoint of step <paramref name="step"/>.</summary>
    public string CheckpointPath(int step) =>
        Path.Combine(CheckpointsPath, string.Create(CultureInfo.InvariantCulture, $"step-{step:D7}.ckpt"));

    /// <summary>The step of a checkpoint named by <see cref="CheckpointPath"/>.</summary>
    public static int CheckpointStep(string path) =>
        int.Parse(Path.GetFileNameWithoutExtension(path).AsSpan("step-".Length), CultureInfo.InvariantCulture);

    /// <summary>The step checkpoints, oldest first (looking never creates the folder).</summary>
    public IReadOnlyList<string> StepCheckpoints()
    {
        string folder = Path.Combine(Root, "checkpoints");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "step-*.ckpt").Order(StringComparer.Ordinal).ToArray() : [];
    }

    /// <summary>The most recent step checkpoint, or null.</summary>
    public string? LatestCheckpoint() => StepCheckpoints().LastOrDefault();

    /// <summary>Deletes all but the newest <paramref name="keepLast"/> step checkpoints (<c>best.ckpt</c> is kept).</summary>
    public void Prune(int keepLast)
    {
        foreach (var old in StepCheckpoints().SkipLast(Math.Max(1, keepLast))) System.IO.File.Delete(old);
    }

    /// <summary>The trained network of this run: <c>best.ckpt</c> (model selection on the validation split), else the latest
    /// step checkpoint (a run without validation images); null when there is none.</summary>
    public string? TrainedCheckpoint() => System.IO.File.Exists(BestCheckpointPath) ? BestCheckpointPath : LatestCheckpoint();

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
