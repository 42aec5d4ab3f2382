using System.Reflection;
using System.Runtime.Loader;

namespace MedDeblur.Interactive;

/// <summary>
/// A load context for the F# assemblies Plotly.NET needs (FSharp.Core, Giraffe.ViewEngine, DynamicObj and its
/// Fable.Core), taken from the kit's build output, so that they bind to each other even when the notebook kernel runs an
/// older FSharp.Core (<see cref="Kit.Setup"/>).
/// </summary>
internal sealed class ChartDependencies(string folder) : AssemblyLoadContext("MedDeblur chart dependencies")
{
    private static readonly HashSet<string> Names = ["FSharp.Core", "Giraffe.ViewEngine", "DynamicObj", "Fable.Core"];

    /// <summary>The kit's copy of <paramref name="wanted"/> when it is one of the chart dependencies and at least as new
    /// as asked; null otherwise (the default context then goes on resolving).</summary>
    public Assembly? Resolve(AssemblyName wanted)
    {
        if (wanted.Name is null || !Names.Contains(wanted.Name)) return null;
        string path = Path.Combine(folder, wanted.Name + ".dll");
        if (!File.Exists(path) || AssemblyName.GetAssemblyName(path).Version < wanted.Version) return null;
        return LoadFromAssemblyName(wanted);
    }

    /// <inheritdoc/>
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string path = Path.Combine(folder, assemblyName.Name + ".dll");
        return assemblyName.Name is { } name && Names.Contains(name) && File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
