using System.Reflection;
using System.Text.Json.Nodes;

namespace MedDeblur.NotebookRunner;

/// <summary>
/// The NuGet packages the runner host (this tool, or the test process) was built with, read from its
/// <c>.deps.json</c>, so a notebook's <c>#r "nuget: X, V"</c> becomes references to the assemblies of X and its
/// dependencies, exactly what the .NET Interactive kernel would reference after restoring X.
/// </summary>
internal sealed class HostPackages
{
    /// <summary>Meta-packages the host satisfies through another package (TorchSharp-cpu = TorchSharp + LibTorch).</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["TorchSharp-cpu"] = "TorchSharp",
        ["TorchSharp-cuda-linux"] = "TorchSharp",
        ["TorchSharp-cuda-windows"] = "TorchSharp",
    };

    private static readonly Lazy<HostPackages> Lazy = new(Load);

    // library key (name/version) -> (runtime assembly file names, dependency names)
    private readonly Dictionary<string, (List<string> Assemblies, List<string> Dependencies)> libraries =
        new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The host's packages.</summary>
    public static HostPackages Current => Lazy.Value;

    /// <summary>The deps files read.</summary>
    public IReadOnlyList<string> DepsFiles { get; private set; } = [];

    /// <summary>
    /// Paths of the runtime assemblies of <paramref name="packageId"/> and everything it depends on.
    /// </summary>
    /// <returns>Null when the host has no such package.</returns>
    public IReadOnlyList<string>? AssemblyPathsOf(string packageId)
    {
        string? name = Resolve(packageId);
        if (name is null && Aliases.TryGetValue(packageId, out var alias)) name = Resolve(alias);
        if (name is null) return null;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var files = new List<string>();
        var stack = new Stack<string>([name]);
        while (stack.Count > 0)
        {
            string n = stack.Pop();
            if (!seen.Add(n) || !libraries.TryGetValue(n, out var lib)) continue;
            foreach (var file in lib.Assemblies)
                if (LocateAssembly(file) is { } path && !files.Contains(path)) files.Add(path);
            foreach (var dep in lib.Dependencies) stack.Push(dep);
        }
        return files;
    }

    private string? Resolve(string packageId) => libraries.ContainsKey(packageId) ? packageId : null;

    private static string? LocateAssembly(string fileName)
    {
        string beside = Path.Combine(AppContext.BaseDirectory, fileName);
        if (File.Exists(beside)) return beside;
        string simple = Path.GetFileNameWithoutExtension(fileName);
        return AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => !a.IsDynamic && a.GetName().Name == simple && a.Location.Length > 0)?.Location;
    }

    private static HostPackages Load()
    {
        var host = new HostPackages();
        var files = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(File.Exists)
            .ToList();
        if (files.Count == 0)
        {
            string? entry = Assembly.GetEntryAssembly()?.GetName().Name;
            files.AddRange(Directory.GetFiles(AppContext.BaseDirectory, "*.deps.json")
                .OrderBy(f => Path.GetFileName(f) == $"{entry}.deps.json" ? 0 : 1));
        }
        foreach (var file in files) host.Read(file);
        host.DepsFiles = files;
        return host;
    }

    private void Read(string depsFile)
    {
        if (JsonNode.Parse(File.ReadAllText(depsFile)) is not JsonObject root) return;
        string? target = root["runtimeTarget"]?["name"]?.GetValue<string>();
        if (target is null || root["targets"]?[target] is not JsonObject libs) return;
        foreach (var (key, value) in libs)
        {
            string name = key.Split('/')[0];
            if (value is not JsonObject lib || libraries.ContainsKey(name)) continue;
            var assemblies = (lib["runtime"] as JsonObject)?.Select(kv => Path.GetFileName(kv.Key))
                .Where(f => f.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).ToList() ?? [];
            var deps = (lib["dependencies"] as JsonObject)?.Select(kv => kv.Key).ToList() ?? [];
            libraries[name] = (assemblies, deps);
        }
    }
}
