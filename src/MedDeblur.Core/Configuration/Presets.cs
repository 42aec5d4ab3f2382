using System.Reflection;

namespace MedDeblur.Configuration;

/// <summary>Loads presets by name (embedded) or path.</summary>
public static class Presets
{
    private const string ResourcePrefix = "MedDeblur.Presets.";

    /// <summary>Names of the embedded presets (<c>paper</c>, <c>quick</c>, <c>smoke</c>), sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = typeof(Presets).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^".json".Length])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>
    /// Loads an embedded preset by name (case-insensitive), or a JSON file when <paramref name="nameOrPath"/> is an
    /// existing file or looks like a path (ends in <c>.json</c> or contains a directory separator).
    /// </summary>
    /// <exception cref="MedDeblurException">Unknown name (the message lists the embedded ones), missing file or bad content.</exception>
    public static RunOptions Load(string nameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        string key = nameOrPath.Trim();
        bool looksLikePath = key.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ||
                             key.Contains('/') || key.Contains(Path.DirectorySeparatorChar);
        if (File.Exists(key) || looksLikePath)
        {
            if (!File.Exists(key)) throw new MedDeblurException($"preset file not found: {key}");
            return Parse(File.ReadAllText(key), key, Path.GetFileNameWithoutExtension(key));
        }
        string? name = Names.FirstOrDefault(n => string.Equals(n, key, StringComparison.OrdinalIgnoreCase));
        if (name is null)
            throw new MedDeblurException(
                $"unknown preset '{nameOrPath}'; embedded presets: {string.Join(", ", Names)} (or give a path to a .json file).");
        return Parse(ReadEmbedded(name), $"embedded:{name}", name);
    }

    /// <summary>The text of an embedded preset file.</summary>
    public static string ReadEmbedded(string name)
    {
        using var stream = typeof(Presets).Assembly.GetManifestResourceStream(ResourcePrefix + name + ".json")
            ?? throw new MedDeblurException($"unknown preset '{name}'; embedded presets: {string.Join(", ", Names)}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Parses preset JSON into the full run options; the preset's <c>name</c> defaults to <paramref name="fallbackName"/>.
    /// Unknown keys and invalid values are errors naming <paramref name="source"/>.
    /// </summary>
    public static RunOptions Parse(string json, string source, string fallbackName = "custom")
    {
        ArgumentNullException.ThrowIfNull(json);
        var options = RunOptions.Parse(json, source);
        if (!json.Contains("\"name\"", StringComparison.Ordinal)) options = options with { Name = fallbackName };
        try
        {
            return options.Validate();
        }
        catch (Exception e) when (e is MedDeblurException or ArgumentException)
        {
            throw new MedDeblurException($"{source}: {e.Message}", e);
        }
    }
}
