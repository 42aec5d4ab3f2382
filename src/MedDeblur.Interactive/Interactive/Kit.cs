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
        NotebookFormatters.Register();
        var fsharp = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "FSharp.Core")?.GetName().Version;
        if (fsharp is not null && fsharp < new Version(10, 1))
            Console.Error.WriteLine($"note: this kernel runs FSharp.Core {fsharp}; Plotly.NET 6 needs 10.1 or newer, so the interactive charts " +
                                    "will fail here (tables, images and everything else work). notebooks/README.md explains it.");
        return info;
    }

    /// <summary>
    /// The cancellation token of the running cell: cancelled when the notebook's Stop (interrupt) button is pressed.
    /// Outside a kernel, <see cref="CancellationToken.None"/>.
    /// </summary>
    public static CancellationToken Cancellation => KernelInvocationContext.Current?.CancellationToken ?? CancellationToken.None;

    /// <summary>A progress display, shown now and updated in place (fraction, elapsed, ETA).</summary>
    /// <param name="title">What is running, e.g. "training meddeblur".</param>
    public static NotebookProgress Progress(string title) => new(title);
}
