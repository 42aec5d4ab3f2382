using System.Xml.Linq;

namespace MedDeblur.NotebookRunner;

/// <summary>
/// The central package versions of the repository (<c>Directory.Packages.props</c>), which every notebook's
/// <c>#r "nuget: Name, Version"</c> line must repeat exactly.
/// </summary>
public sealed class CentralPackageVersions
{
    /// <summary>The file name searched for.</summary>
    public const string FileName = "Directory.Packages.props";

    private readonly Dictionary<string, string> versions;

    private CentralPackageVersions(string path, Dictionary<string, string> versions)
    {
        PropsPath = path;
        this.versions = versions;
    }

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
        XDocument doc;
        try
        {
            doc = XDocument.Load(propsPath);
        }
        catch (System.Xml.XmlException e)
        {
            throw new NotebookException($"central package file '{propsPath}' is not valid XML: {e.Message}", e);
        }
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in doc.Descendants().Where(e => e.Name.LocalName == "PackageVersion"))
        {
            string? id = (string?)item.Attribute("Include");
            string? version = (string?)item.Attribute("Version");
            if (!string.IsNullOrWhiteSpace(id) && !string.IsNullOrWhiteSpace(version)) map[id.Trim()] = version.Trim();
        }
        return new CentralPackageVersions(Path.GetFullPath(propsPath), map);
    }

    /// <summary>Walks up from <paramref name="directory"/> to the first folder holding <c>Directory.Packages.props</c>.</summary>
    /// <returns>The versions, or null when no folder up to the file-system root has the file.</returns>
    public static CentralPackageVersions? TryFindFrom(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        for (var dir = new DirectoryInfo(Path.GetFullPath(directory)); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, FileName);
            if (File.Exists(candidate)) return Load(candidate);
        }
        return null;
    }

    /// <summary>The central version of <paramref name="packageId"/>, or null when it is not listed.</summary>
    public string? VersionOf(string packageId) => versions.GetValueOrDefault(packageId);

    /// <summary>
    /// Checks one <c>#r "nuget: ..."</c> reference: it must name a centrally listed package and pin exactly its
    /// central version.
    /// </summary>
    /// <returns>Null when the pin is right, else a message naming the package and both versions.</returns>
    public string? CheckPin(NugetReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        string? central = VersionOf(reference.PackageId);
        if (central is null)
            return $"package '{reference.PackageId}' is not listed in {PropsPath}; notebooks may only use central packages " +
                   "(the runner host provides exactly those).";
        if (reference.Version is null)
            return $"package '{reference.PackageId}' is not pinned; write #r \"nuget: {reference.PackageId}, {central}\" " +
                   $"(the version in {PropsPath}).";
        if (reference.Version != central)
            return $"package '{reference.PackageId}' is pinned to {reference.Version} but {PropsPath} has {central}; " +
                   $"write #r \"nuget: {reference.PackageId}, {central}\".";
        return null;
    }
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
        string body = r["nuget:".Length..];
        int comma = body.IndexOf(',');
        string id = (comma < 0 ? body : body[..comma]).Trim();
        string? version = comma < 0 ? null : body[(comma + 1)..].Trim();
        return new NugetReference(id, string.IsNullOrEmpty(version) ? null : version);
    }
}
