using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Connection;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace MedDeblur.NotebookRunner;

/// <summary>Where a notebook's C# kernel runs.</summary>
public enum NotebookKernel
{
    /// <summary>The dotnet-interactive tool (pinned in .config/dotnet-tools.json) in its own process, started as VS Code
    /// starts it (<c>dotnet tool run dotnet-interactive -- [vscode] stdio --working-dir FOLDER</c>): its assembly binding
    /// (FSharp.Core, SkiaSharp, LibTorch natives) is the one a researcher gets.</summary>
    Tool,

    /// <summary>A C# kernel inside the runner process (starts in a second instead of ~10 s; for the runner's own tests). It
    /// resolves relative paths against the process's current directory, set to the run's working directory meanwhile.</summary>
    InProcess,
}

/// <summary>A started kernel: the C# kernel to send cells to (a proxy of the tool's <c>csharp</c> kernel, or the
/// in-process one) and how to stop it.</summary>
internal sealed record KernelSession(Kernel Kernel, Action Stop) : IDisposable
{
    /// <summary>Starts a kernel whose relative paths resolve against <paramref name="workingDirectory"/>.</summary>
    /// <exception cref="NotebookException">The tool cannot be restored or started.</exception>
    public static async Task<KernelSession> StartAsync(NotebookKernel where, string workingDirectory, CancellationToken cancellationToken)
    {
        if (where == NotebookKernel.InProcess)
        {
            var composite = new CompositeKernel { new CSharpKernel().UseKernelHelpers().UseNugetDirective((k, packages) =>
                { k.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths)); return Task.CompletedTask; }) };
            composite.DefaultKernelName = "csharp";
            string previous = Environment.CurrentDirectory;
            Environment.CurrentDirectory = workingDirectory;
            return new KernelSession(composite, () =>
            {
                composite.Dispose();
                Environment.CurrentDirectory = previous;
            });
        }
        await RestoreToolAsync(workingDirectory, cancellationToken);
        Environment.SetEnvironmentVariable("DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT", "1");
        var connector = new StdIoKernelConnector(["dotnet", "tool", "run", "dotnet-interactive", "--", "[vscode]", "stdio", "--working-dir",
            workingDirectory], "runner", new Uri("kernel://meddeblur-notebook"), new DirectoryInfo(workingDirectory));
        try
        {
            var proxy = await connector.CreateProxyKernelAsync("csharp", "csharp").WaitAsync(TimeSpan.FromMinutes(3), cancellationToken);
            return new KernelSession(proxy, () => StopTool(connector));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            StopTool(connector);
            throw new NotebookException($"the dotnet-interactive tool did not start in {workingDirectory}: {e.Message}", e);
        }
    }

    /// <summary>A failed cell as an error output: the exception type and message, the trace without the scripting frames.</summary>
    public static ErrorElement Error(CommandFailed failed, string where)
    {
        // in-process the exception object arrives; from the tool only its text ("System.IO.IOException: message\n   at ...")
        var exception = failed.Exception is { } x && x is not CodeSubmissionCompilationErrorException ? x : null;
        string text = exception?.ToString() ?? failed.Message;
        var trace = text.Split('\n').Select(l => l.TrimEnd('\r')).TakeWhile(l => !l.StartsWith("   at Microsoft.CodeAnalysis.Scripting.", StringComparison.Ordinal)).ToArray();
        var thrown = Regex.Match(trace.FirstOrDefault() ?? "", @"^(?:[\w`]+\.)*(?<type>\w+Exception): (?<message>.*)$");
        string name = exception?.GetType().Name ?? (thrown.Success ? thrown.Groups["type"].Value : "CompilationErrorException");
        string message = exception?.Message ?? (thrown.Success ? thrown.Groups["message"].Value : failed.Message);
        return new ErrorElement($"{where}: {message}", name, trace);
    }

    private static async Task RestoreToolAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", ["tool", "restore"]) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true })!;
        string output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0) throw new NotebookException($"'dotnet tool restore' in {workingDirectory} failed (exit {process.ExitCode}; the tool is pinned in .config/dotnet-tools.json):\n{output}");
    }

    /// <inheritdoc/>
    public void Dispose() => Stop();

    /// <summary>The connector's Dispose leaves both <c>dotnet tool run</c> and the kernel running (seen: 17 kernels of
    /// 0.4–1.4 GB left by one test session), so the whole process tree is killed.</summary>
    private static void StopTool(StdIoKernelConnector connector)
    {
        try { if (connector.ProcessId is { } id) using (var process = Process.GetProcessById(id)) process.Kill(entireProcessTree: true); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { } // already gone
        connector.Dispose();
    }
}
