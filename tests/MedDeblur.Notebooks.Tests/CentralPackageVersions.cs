using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MedDeblur.Tests.Notebooks;

/// <summary>
/// The central package versions of the repository (<c>Directory.Packages.props</c>), which every notebook's
/// <c>#r "nuget: Name, Version"</c> line must repeat exactly (<see cref="NotebookValidator"/>).
/// </summary>
public sealed partial class CentralPackageVersions
{
    /// <summary>The file name searched for.</summary>
    public const string FileName = "Directory.Packages.props";

    private CentralPackageVersions(string path, Dictionary<string, string> versions) => (PropsPath, Versions) = (path, versions);

    /// <summary>The <c>Directory.Packages.props</c> file read.</summary>
    public string PropsPath { get; }

    /// <summary>Package ids and versions, ids compared case-insensitively as NuGet does.</summary>
    public IReadOnlyDictionary<string, string> Versions { get; }

    /// <summary>Reads the first <c>Directory.Packages.props</c> in <paramref name="directory"/> or a folder above it.</summary>
    /// <returns>The versions, or null when there is none.</returns>
    /// <exception cref="InvalidDataException">The file is not valid XML.</exception>
    public static CentralPackageVersions? TryFindFrom(string directory)
    {
        var dir = new DirectoryInfo(Path.GetFullPath(directory));
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, FileName))) dir = dir.Parent;
        if (dir is null) return null;
        string path = Path.Combine(dir.FullName, FileName);
        try
        {
            return new CentralPackageVersions(path, XDocument.Load(path).Descendants().Where(e => e.Name.LocalName == "PackageVersion")
                .Select(e => (Id: ((string?)e.Attribute("Include"))?.Trim() ?? "", Version: ((string?)e.Attribute("Version"))?.Trim() ?? ""))
                .Where(p => p.Id.Length > 0 && p.Version.Length > 0)
                .GroupBy(p => p.Id, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.Last().Version, StringComparer.OrdinalIgnoreCase));
        }
        catch (System.Xml.XmlException e)
        {
            throw new InvalidDataException($"central package file '{path}' is not valid XML: {e.Message}", e);
        }
    }

    /// <summary>All <c>#r "nuget: Name[, Version]"</c> references in a cell's source: 1-based line, package, version or null.</summary>
    public static IEnumerable<(int Line, string PackageId, string? Version)> NugetReferences(string source) =>
        source.Split('\n').Select((line, i) => (Line: i + 1, Match: NugetLine().Match(line.TrimEnd('\r'))))
            .Where(m => m.Match.Success)
            .Select(m => (m.Line, m.Match.Groups["id"].Value, m.Match.Groups["version"].Success ? m.Match.Groups["version"].Value : (string?)null));

    /// <summary>Null when <paramref name="packageId"/> is centrally listed and pinned to exactly its central version,
    /// else a message naming the package and both versions.</summary>
    public string? CheckPin(string packageId, string? version)
    {
        if (!Versions.TryGetValue(packageId, out var central))
            return $"package '{packageId}' is not listed in {PropsPath}; notebooks may only use central packages.";
        if (version is null)
            return $"package '{packageId}' is not pinned; write #r \"nuget: {packageId}, {central}\" (the version in {PropsPath}).";
        return version == central ? null
            : $"package '{packageId}' is pinned to {version} but {PropsPath} has {central}; write #r \"nuget: {packageId}, {central}\".";
    }

    [GeneratedRegex("""^\s*#r\s+"\s*nuget:\s*(?<id>[^,"\s]+)\s*(,\s*(?<version>[^"\s]+)\s*)?"\s*(//.*)?$""", RegexOptions.IgnoreCase)]
    private static partial Regex NugetLine();
}
