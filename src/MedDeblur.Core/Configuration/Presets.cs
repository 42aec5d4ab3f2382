using System.Reflection;
using System.Text.Json;
using MedDeblur.Networks;

namespace MedDeblur.Configuration;

/// <summary>
/// A named experiment configuration: the repository's <c>presets/*.json</c> (embedded in MedDeblur.Core) or any JSON
/// file of the same shape, <c>{"name": ..., "description": ..., "network": {...}, ...}</c>. Only the sections this
/// version understands are typed; the whole document stays available in <see cref="Root"/> for the others.
/// </summary>
/// <param name="Name">Preset name (the file's <c>name</c>, else the file name).</param>
/// <param name="Description">One paragraph on what the preset is for.</param>
/// <param name="Network">The validated <c>network</c> section.</param>
/// <param name="Root">The whole JSON document (a detached copy; no disposal needed).</param>
/// <param name="Source">Where it was read from: <c>embedded:paper</c> or a file path.</param>
public sealed record Preset(string Name, string Description, NetworkOptions Network, JsonElement Root, string Source)
{
    /// <summary>A top-level section of the file (e.g. <c>training</c>), or null when the file has none.</summary>
    public JsonElement? Section(string name) =>
        Root.TryGetProperty(name, out var section) ? section : null;
}

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
    public static Preset Load(string nameOrPath)
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
    /// Parses preset JSON; <paramref name="source"/> names it in errors and <paramref name="fallbackName"/> is used when
    /// the file has no <c>name</c>. Unknown top-level sections are kept in <see cref="Preset.Root"/>; unknown keys
    /// inside <c>network</c> are errors (they are almost always typos).
    /// </summary>
    public static Preset Parse(string json, string source, string fallbackName = "custom")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new MedDeblurException($"{source}: not valid JSON ({e.Message}).", e);
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new MedDeblurException($"{source}: a preset must be a JSON object, found {root.ValueKind}.");
        string name = OptionalString(root, "name", source) ?? fallbackName;
        string description = OptionalString(root, "description", source) ?? "";
        if (!root.TryGetProperty("network", out var networkSection) || networkSection.ValueKind != JsonValueKind.Object)
            throw new MedDeblurException($"{source}: the preset has no \"network\" object.");
        NetworkOptions network;
        try
        {
            network = networkSection.Deserialize<NetworkOptions>(KitJson.Options)
                ?? throw new MedDeblurException($"{source}: \"network\" is null.");
        }
        catch (JsonException e)
        {
            throw new MedDeblurException($"{source}: bad \"network\" section ({e.Message}).", e);
        }
        try
        {
            network.Validate();
        }
        catch (MedDeblurException e)
        {
            throw new MedDeblurException($"{source}: {e.Message}", e);
        }
        return new Preset(name, description, network, root, source);
    }

    private static string? OptionalString(JsonElement root, string property, string source)
    {
        if (!root.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String)
            throw new MedDeblurException($"{source}: \"{property}\" must be a string, found {value.ValueKind}.");
        return value.GetString();
    }
}
