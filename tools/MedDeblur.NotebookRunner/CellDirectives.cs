using System.Text.RegularExpressions;

namespace MedDeblur.NotebookRunner;

/// <summary>
/// Turns a notebook cell's source into a Roslyn script submission: handles the .NET Interactive directives that
/// Roslyn scripting does not know, keeping line numbers (handled lines become empty lines).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>#r "nuget: Name, Version"</c>: must be pinned to the version in <c>Directory.Packages.props</c> (else the
/// cell fails with a message naming the package and both versions); then the line is removed and the assemblies of
/// that package as built into the runner host are referenced instead (no restore happens at run time).</item>
/// <item><c>#r "path/X.dll"</c>: when an assembly named X is already loaded in the host (e.g. MedDeblur.Core) the line
/// is removed and the loaded assembly is referenced, because loading a second copy would give two incompatible
/// versions of every type; otherwise the line is kept and Roslyn resolves the path against the notebook's folder.</item>
/// <item><c>#!magic</c> lines (<c>#!csharp</c>, <c>#!about</c>, <c>#!time</c>, ...) and <c>#i</c> source lines are
/// skipped with a note; they only mean something to the .NET Interactive kernel.</item>
/// <item>Other directives (<c>#load</c>, <c>#r</c> of framework assemblies) are left to Roslyn.</item>
/// </list>
/// </remarks>
internal static partial class CellDirectives
{
    [GeneratedRegex("""^\s*#r\s+"(?<ref>[^"]*)"\s*(//.*)?$""")]
    private static partial Regex ReferenceLine();

    /// <summary>All <c>#r "nuget: ..."</c> references in a source text, with their 1-based line numbers.</summary>
    public static IEnumerable<(int Line, NugetReference Reference)> NugetReferences(string source)
    {
        var lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var m = ReferenceLine().Match(lines[i].TrimEnd('\r'));
            if (m.Success && NugetReference.TryParse(m.Groups["ref"].Value) is { } nuget) yield return (i + 1, nuget);
        }
    }

    /// <summary>Prepares one cell.</summary>
    /// <param name="source">The cell source.</param>
    /// <param name="label">How notes name the cell, e.g. <c>cell 3</c> (errors name only the line; the caller adds the cell).</param>
    /// <param name="central">Central versions, or null when no Directory.Packages.props was found.</param>
    /// <param name="notebookDirectory">Folder the notebook's relative paths are resolved against (for messages).</param>
    public static PreparedCell Prepare(string source, string label, CentralPackageVersions? central, string notebookDirectory)
    {
        var lines = source.Split('\n');
        var references = new List<string>();
        var notes = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            string trimmed = line.TrimStart();
            if (trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                notes.Add($"{label}, line {i + 1}: skipped the .NET Interactive magic '{trimmed}'.");
                lines[i] = string.Empty;
                continue;
            }
            if (trimmed.StartsWith("#i ", StringComparison.Ordinal) || trimmed.StartsWith("#i\t", StringComparison.Ordinal))
            {
                notes.Add($"{label}, line {i + 1}: skipped the package source '{trimmed}' (the runner restores nothing).");
                lines[i] = string.Empty;
                continue;
            }
            var m = ReferenceLine().Match(line);
            if (!m.Success) continue;
            string reference = m.Groups["ref"].Value;
            if (NugetReference.TryParse(reference) is { } nuget)
            {
                if (central is null)
                    return PreparedCell.Failed(
                        $"line {i + 1}: #r \"{reference}\" cannot be checked: no {CentralPackageVersions.FileName} " +
                        $"in '{notebookDirectory}' or any folder above it.");
                if (central.CheckPin(nuget) is { } problem) return PreparedCell.Failed($"line {i + 1}: {problem}");
                var paths = HostPackages.Current.AssemblyPathsOf(nuget.PackageId);
                if (paths is null)
                    return PreparedCell.Failed(
                        $"line {i + 1}: package '{nuget.PackageId}' is central but the runner host was not built " +
                        $"with it; add a reference to it in tools/MedDeblur.NotebookRunner (deps: {string.Join(", ", HostPackages.Current.DepsFiles)}).");
                references.AddRange(paths);
                lines[i] = string.Empty;
                continue;
            }
            if (reference.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                string name = Path.GetFileNameWithoutExtension(reference.Replace('\\', '/').Split('/')[^1]);
                if (HostAssembly(name) is { } loaded)
                {
                    references.Add(loaded.Location);
                    notes.Add($"{label}, line {i + 1}: #r \"{reference}\" uses the {name} of the runner host ({loaded.Location}).");
                    lines[i] = string.Empty;
                }
            }
        }
        return new PreparedCell(string.Join('\n', lines), references, notes, null);
    }

    /// <summary>
    /// The host's own copy of assembly <paramref name="name"/>: already loaded, or shipped beside the host (then
    /// loaded now into the default context, where the script's code will bind to it).
    /// </summary>
    private static System.Reflection.Assembly? HostAssembly(string name)
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => !a.IsDynamic && a.Location.Length > 0 && a.GetName().Name == name);
        if (loaded is not null) return loaded;
        if (!File.Exists(Path.Combine(AppContext.BaseDirectory, name + ".dll"))) return null;
        try
        {
            return System.Reflection.Assembly.Load(new System.Reflection.AssemblyName(name));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null;
        }
    }
}

/// <summary>A cell ready for Roslyn: its code, extra references and notes, or the error that stops it.</summary>
/// <param name="Code">The submission text (same line count as the source).</param>
/// <param name="References">Assembly paths to reference from this cell on.</param>
/// <param name="Notes">What was skipped or replaced.</param>
/// <param name="Error">Why the cell cannot run, or null.</param>
internal sealed record PreparedCell(string Code, IReadOnlyList<string> References, IReadOnlyList<string> Notes, string? Error)
{
    public static PreparedCell Failed(string error) => new(string.Empty, [], [], error);
}
