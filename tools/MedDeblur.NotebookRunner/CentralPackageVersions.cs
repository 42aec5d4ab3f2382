using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MedDeblur.NotebookRunner;

/// <summary>
/// The central package versions of the repository (<c>Directory.Packages.props</c>), which every notebook's
/// <c>#r "nuget: Name, Version"</c> line must repeat exactly.
/// </summary>
public sealed partial class CentralPackageVersions
{
    /// <summary>The file name searched for.</summary>
    public const string FileName = "Directory.Packages.props";

    private readonly Dictionary<string, string> versions;

    private CentralPackageVersions(string path, Dictionary<string, string> versions) => (PropsPath, this.versions) = (path, versions);

    /// <summary>The <c>Directory.Packages.props</c> file read.</summary>
    public string PropsPath { get; }

    /// <summary>Package ids and versions, ids compared case-insensitively as NuGet does.</summary>
    public IReadOnlyDictionary<string, string> Versions => versions;

    /// <summary>Reads <c>&lt;PackageVersion Include="..." Version="..."/&gt;</c> items from a props file.</summary>
    /// <exception cref="NotebookException">The file is missing or not valid XML.</exception>
    public static CentralPackageVersions Load(string propsPath)
    {
        ArgumentNullException.ThrowIfNull(propsPath);
        if (!File.Exists(propsPath)) throw new NotebookException($"central package file '{propsPath}' does not exist.");
        try
        {
            var map = XDocument.Load(propsPath).Descendants().Where(e => e.Name.LocalName == "PackageVersion")
                .Select(e => (Id: ((string?)e.Attribute("Include"))?.Trim(), Version: ((string?)e.Attribute("Version"))?.Trim()))
                .Where(p => !string.IsNullOrEmpty(p.Id) && !string.IsNullOrEmpty(p.Version))
                .GroupBy(p => p.Id!, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.Last().Version!, StringComparer.OrdinalIgnoreCase);
            return new CentralPackageVersions(Path.GetFullPath(propsPath), map);
        }
        catch (System.Xml.XmlException e)
        {
            throw new NotebookException($"central package file '{propsPath}' is not valid XML: {e.Message}", e);
        }
    }

    /// <summary>Walks up from <paramref name="directory"/> to the first folder holding <c>Directory.Packages.props</c>.</summary>
    /// <returns>The versions, or null when no folder up to the file-system root has the file.</returns>
    public static CentralPackageVersions? TryFindFrom(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        for (var dir = new DirectoryInfo(Path.GetFullPath(directory)); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, FileName))) return Load(Path.Combine(dir.FullName, FileName));
        return null;
    }

    /// <summary>All <c>#r "nuget: ..."</c> references in a cell's source, with their 1-based line numbers.</summary>
    public static IEnumerable<(int Line, NugetReference Reference)> NugetReferences(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if (ReferenceLine().Match(lines[i].TrimEnd('\r')) is { Success: true } m && NugetReference.TryParse(m.Groups["ref"].Value) is { } nuget)
                yield return (i + 1, nuget);
    }

    /// <summary>
    /// Checks one <c>#r "nuget: ..."</c> reference: it must name a centrally listed package and pin exactly its
    /// central version.
    /// </summary>
    /// <returns>Null when the pin is right, else a message naming the package and both versions.</returns>
    public string? CheckPin(NugetReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        string? central = versions.GetValueOrDefault(reference.PackageId);
        if (central is null)
            return $"package '{reference.PackageId}' is not listed in {PropsPath}; notebooks may only use central packages.";
        if (reference.Version is null)
            return $"package '{reference.PackageId}' is not pinned; write #r \"nuget: {reference.PackageId}, {central}\" (the version in {PropsPath}).";
        return reference.Version == central ? null
            : $"package '{reference.PackageId}' is pinned to {reference.Version} but {PropsPath} has {central}; write #r \"nuget: {reference.PackageId}, {central}\".";
    }

    [GeneratedRegex("""^\s*#r\s+"(?<ref>[^"]*)"\s*(//.*)?$""")]
    private static partial Regex ReferenceLine();
}

/// <summary>A parsed <c>#r "nuget: Name[, Version]"</c> reference.</summary>
/// <param name="PackageId">The package id.</param>
/// <param name="Version">The version text after the comma, or null when unpinned.</param>
public sealed record NugetReference(string PackageId, string? Version)
{
    /// <summary>Parses the text inside the quotes of <c>#r "..."</c>; null when it is not a <c>nuget:</c> reference.</summary>
    public static NugetReference? TryParse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        string r = reference.Trim();
        if (!r.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase)) return null;
        var parts = r["nuget:".Length..].Split(',', 2, StringSplitOptions.TrimEntries);
        return new NugetReference(parts[0], parts.Length < 2 || parts[1].Length == 0 ? null : parts[1]);
    }
}
