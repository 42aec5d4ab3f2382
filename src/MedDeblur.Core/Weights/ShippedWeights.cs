using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedDeblur.Configuration;
using MedDeblur.Networks;
using MedDeblur.Training;

namespace MedDeblur.Weights;

/// <summary>A shipped weights file does not match the SHA-256 its manifest records (changed, cut, or a Git LFS pointer).</summary>
public sealed class WeightsIntegrityException : MedDeblurException
{
    /// <summary>Creates the exception.</summary>
    public WeightsIntegrityException(string path, string expected, string actual)
        : base($"{path}: the weights file is damaged or not the one its manifest describes (SHA-256 {actual}, manifest {expected}); " +
               "restore it from the repository (git checkout -- weights) or retrain it")
    {
        Path = path;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The weights file.</summary>
    public string Path { get; }

    /// <summary>SHA-256 the manifest records.</summary>
    public string Expected { get; }

    /// <summary>SHA-256 of the file on disk.</summary>
    public string Actual { get; }
}

/// <summary>
/// The kit's trained networks (<c>weights/</c>: one network-only checkpoint and one <see cref="WeightsManifest"/> per
/// network and preset), what <c>deblur</c> and the notebooks use when no checkpoint is given. <see cref="Export"/> makes
/// an entry from a finished training run; <see cref="Load"/> checks the file's SHA-256 against its manifest first.
/// </summary>
public static class ShippedWeights
{
    /// <summary>Environment variable that overrides the weights folder.</summary>
    public const string EnvironmentVariable = "MEDDEBLUR_WEIGHTS";

    /// <summary>The preset the shipped weights are trained with unless a caller asks for another.</summary>
    public const string DefaultPreset = "quick";

    /// <summary>
    /// The weights folder: <c>MEDDEBLUR_WEIGHTS</c> if set, else the <c>weights</c> folder (the one holding
    /// <c>README.md</c>) found by walking up from the current directory and from the application's folder; null when there
    /// is none.
    /// </summary>
    public static string? Root
    {
        get
        {
            if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env) return Path.GetFullPath(env);
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    string candidate = Path.Combine(dir.FullName, "weights");
                    if (File.Exists(Path.Combine(candidate, "README.md"))) return candidate;
                }
            return null;
        }
    }

    /// <summary>Every manifest in <paramref name="folder"/> (default <see cref="Root"/>), sorted by file name.</summary>
    public static IReadOnlyList<(string ManifestPath, WeightsManifest Manifest)> List(string? folder = null)
    {
        folder ??= Root;
        if (folder is null || !Directory.Exists(folder)) return [];
        return Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal)
            .Select(path => (path, WeightsManifest.Read(path))).ToArray();
    }

    /// <summary>The manifest of <paramref name="network"/> trained with <paramref name="preset"/>, or null.</summary>
    public static (string ManifestPath, WeightsManifest Manifest)? Find(string network, string preset = DefaultPreset, string? folder = null) =>
        List(folder).Where(e => e.Manifest.Network == network && e.Manifest.Preset == preset).Select(e => ((string, WeightsManifest)?)e).FirstOrDefault();

    /// <summary>The weights file a manifest describes, after checking its SHA-256.</summary>
    /// <exception cref="WeightsIntegrityException">The file's SHA-256 differs from the manifest's.</exception>
    public static string Verify(string manifestPath, WeightsManifest manifest)
    {
        string path = Beside(manifestPath, manifest.File);
        if (!File.Exists(path)) throw new MedDeblurException($"{manifestPath} describes {path}, which does not exist");
        string actual = Sha256(path);
        if (!string.Equals(actual, manifest.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new WeightsIntegrityException(path, manifest.Sha256, actual);
        return path;
    }

    /// <summary>A file a manifest names (<see cref="WeightsManifest.File"/>, <see cref="WeightsManifest.TrainingLog"/>),
    /// relative to the manifest's folder.</summary>
    public static string Beside(string manifestPath, string relative) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, relative);

    /// <summary>Loads the shipped <paramref name="network"/> of <paramref name="preset"/> (checked against its manifest).</summary>
    /// <exception cref="MedDeblurException">None is shipped (the message lists what is), or the file is damaged.</exception>
    public static (DeblurNetwork Network, CheckpointHeader Header, WeightsManifest Manifest) Load(string network = "meddeblur",
        string preset = DefaultPreset, string? folder = null)
    {
        var found = Find(network, preset, folder) ?? throw new MedDeblurException(
            $"no shipped weights of '{network}' ({preset} preset) in {folder ?? Root ?? "weights/ (no weights folder was found)"}; " +
            $"shipped: {Describe(List(folder))}. Give a checkpoint instead, or train one");
        string path = Verify(found.ManifestPath, found.Manifest);
        var (net, header) = Checkpoint.LoadNetwork(path);
        return (net, header, found.Manifest);
    }

    /// <summary>
    /// Makes a shipped entry from a training run: its best checkpoint (model selection on the validation split; the latest
    /// when the run has no validation) is written without optimizer state as <c>NETWORK-PRESET.ckpt</c> in
    /// <paramref name="destination"/>, with its manifest (steps, CPU time, data, machine, commit, validation curve,
    /// SHA-256). Both files are written atomically. With <paramref name="preset"/> the entry is shipped as that preset's
    /// (e.g. a fine-tuning run of its own recipe that continues <c>quick</c>); the run's network and blur options must be
    /// the preset's. A run fine-tuned from shipped weights records them, and its CPU time includes
    /// theirs.
    /// </summary>
    public static (string ManifestPath, WeightsManifest Manifest) Export(string runFolder, string destination, string? preset = null)
    {
        var folder = new RunFolder(runFolder);
        var options = folder.ReadOptions();
        if (preset is not null && preset != options.Name)
        {
            if (options.DifferingSections(Presets.Load(preset), "network", "blur") is [var section, ..])
                throw new MedDeblurException($"{folder.Root} trained with other {section} options than the '{preset}' preset: it cannot be shipped as {preset}");
            options = options with { Name = preset };
        }
        string source = folder.TrainedCheckpoint() ?? throw new MedDeblurException($"{folder.Root} has no checkpoint to export");
        var initial = InitialWeightsOf(folder, destination);
        var log = File.Exists(folder.LogPath) ? JsonlLog.Read(folder.LogPath) : [];
        var environment = File.Exists(folder.EnvironmentPath) ? JsonNode.Parse(File.ReadAllText(folder.EnvironmentPath)) as JsonObject : null;

        Directory.CreateDirectory(destination);
        string name = $"{options.Model}-{options.Name}";
        string weightsPath = Path.Combine(destination, name + ".ckpt");
        var (network, header) = Checkpoint.LoadNetwork(source);
        using (network)
            Checkpoint.Save(weightsPath, header with { RngStates = [] }, network, optimizer: null);

        var curve = log.Where(r => (string?)r["kind"] == "validation" && r["gain"] is not null)
            .Select(r => new ValidationPoint((int)r["step"]!, Math.Round(((double?)r["cpuSeconds"] ?? double.NaN) / 60, 2),
                Math.Round((double)r["psnr"]!, 3), Math.Round((double)r["gain"]!, 3)))
            .ToArray();
        double cpu = log.Select(r => (double?)r["cpuSeconds"]).LastOrDefault(c => c is not null) ?? double.NaN;
        string dataRoot = options.Data.Root ?? "data/samples";
        string splits = Path.Combine(options.Data.Root ?? Data.SampleData.Root, "splits.csv");
        var manifest = new WeightsManifest
        {
            Network = options.Model,
            Preset = options.Name,
            File = Path.GetFileName(weightsPath),
            Sha256 = Sha256(weightsPath),
            Bytes = new FileInfo(weightsPath).Length,
            Step = header.Step,
            TrainedSteps = log.Select(r => (int?)r["step"]).Max() ?? header.Step,
            CpuMinutes = Math.Round(cpu / 60 + (initial?.CpuMinutes ?? 0), 3),
            FineTunedFrom = initial,
            Data = File.Exists(splits) ? $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(dataRoot))} (splits.csv SHA-256 {Sha256(splits)[..16]})" : dataRoot,
            TrainedOn = environment is null ? null : $"{(string?)environment["cpu"]}, {(int?)environment["threads"]} threads, {(string?)environment["convolution"]}",
            Commit = (string?)environment?["gitCommit"],
            Command = (string?)environment?["commandLine"],
            TrainingLog = TrainingLogPath(folder.LogPath, destination),
            ValidationGain = curve.FirstOrDefault(p => p.Step == header.Step)?.Gain,
            Validation = curve,
        };
        string manifestPath = Path.Combine(destination, name + ".json");
        AtomicFile.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest, JsonDefaults.Indented));
        return (manifestPath, manifest);
    }

    /// <summary>The weights a run was fine-tuned from (its <c>initial-weights.json</c>), with the CPU time and step of the
    /// shipped entry in <paramref name="destination"/> that has the same SHA-256, when there is one.</summary>
    private static InitialWeights? InitialWeightsOf(RunFolder folder, string destination)
    {
        if (!File.Exists(folder.InitialWeightsPath)) return null;
        JsonObject? record;
        try { record = JsonNode.Parse(File.ReadAllText(folder.InitialWeightsPath)) as JsonObject; }
        catch (JsonException e) { throw new MedDeblurException($"{folder.InitialWeightsPath} is not valid JSON: {e.Message}"); }
        if (record is null) throw new MedDeblurException($"{folder.InitialWeightsPath} is not a JSON object");
        string path = (string?)record["path"] ?? "", sha = (string?)record["sha256"] ?? "";
        var shipped = Directory.Exists(destination) ? List(destination).Select(e => e.Manifest).FirstOrDefault(m => m.Sha256 == sha) : null;
        return new InitialWeights(Path.GetFileName(path), sha, shipped?.CpuMinutes, shipped?.Step);
    }

    /// <summary>The run's log relative to the weights folder (forward slashes), or null when it lies outside it.</summary>
    private static string? TrainingLogPath(string log, string destination)
    {
        string relative = Path.GetRelativePath(Path.GetFullPath(destination), Path.GetFullPath(log));
        return File.Exists(log) && !relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative)
            ? relative.Replace('\\', '/') : null;
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string Describe(IReadOnlyList<(string ManifestPath, WeightsManifest Manifest)> list) =>
        list.Count == 0 ? "none" : string.Join(", ", list.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Manifest.Network} ({e.Manifest.Preset})")));
}
