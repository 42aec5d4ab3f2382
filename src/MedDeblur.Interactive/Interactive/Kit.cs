using System.Runtime.Loader;
using MedDeblur.Runtime;
using Microsoft.DotNet.Interactive;

namespace MedDeblur.Interactive;

/// <summary>
/// The kit in a .NET Interactive notebook: <see cref="Setup"/> is the one call of every notebook's first cell;
/// <see cref="Cancellation"/> and <see cref="Progress"/> connect long cells to the kernel (Stop button, output
/// updated in place).
/// </summary>
public static class Kit
{
    /// <summary>
    /// Loads LibTorch (with the Debian 12 fix, malloc and denormal settings, <see cref="TorchRuntime.Setup"/>), registers
    /// the kit's formatters (<see cref="NotebookFormatters"/>: DataFrames as tables, Plotly charts with plotly.js
    /// embedded once so they render offline) and returns the runtime description (versions, backend, device, threads).
    /// </summary>
    /// <param name="device">auto, cpu, cuda or cuda:N: the device the description resolves.</param>
    public static RuntimeInfo Setup(string device = "auto")
    {
        var info = TorchRuntime.Setup(device);
        _ = ChartDependenciesResolved.Value;
        NotebookFormatters.Register();
        return info;
    }

    /// <summary>
    /// The dotnet-interactive kernel that VS Code starts (1.0.712001) runs FSharp.Core 10.0 for its F# kernel, while
    /// Plotly.NET 6 (the kit's charts) is built against 10.1: the first chart failed with "Could not load file or
    /// assembly 'FSharp.Core, Version=10.1.0.0'". Plotly.NET's F# dependencies (FSharp.Core 10.1, Giraffe.ViewEngine,
    /// DynamicObj, Fable.Core) therefore load from the kit's build output into a load context of their own
    /// (<see cref="ChartDependencies"/>); the kernel keeps its FSharp.Core. Where the host already runs FSharp.Core 10.1
    /// (the CLI, the in-process kernel of the tests) nothing is resolved here.
    /// </summary>
    private static readonly Lazy<bool> ChartDependenciesResolved = new(() =>
    {
        string folder = Path.GetDirectoryName(typeof(Kit).Assembly.Location) ?? "";
        if (!File.Exists(Path.Combine(folder, "FSharp.Core.dll"))) return false;
        var context = new ChartDependencies(folder);
        AssemblyLoadContext.Default.Resolving += (_, wanted) => context.Resolve(wanted);
        return true;
    });

    /// <summary>
    /// The cancellation token of the running cell: cancelled when the notebook's Stop (interrupt) button is pressed.
    /// Outside a kernel, <see cref="CancellationToken.None"/>.
    /// </summary>
    public static CancellationToken Cancellation => KernelInvocationContext.Current?.CancellationToken ?? CancellationToken.None;

    /// <summary>A progress display, shown now and updated in place (fraction, elapsed, ETA).</summary>
    /// <param name="title">What is running, e.g. "training meddeblur".</param>
    public static NotebookProgress Progress(string title) => new(title);
}
