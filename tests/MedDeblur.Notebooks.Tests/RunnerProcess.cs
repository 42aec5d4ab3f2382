using System.Diagnostics;

namespace MedDeblur.Tests.Notebooks;

/// <summary>Runs the built notebook runner (<c>meddeblur-notebook run ...</c>) as a separate process.</summary>
internal static class RunnerProcess
{
    /// <summary>The runner's own build output (same configuration as the tests).</summary>
    public static string Dll
    {
        get
        {
            string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
            return Path.Combine(Fixture.RepositoryRoot(), "tools", "MedDeblur.NotebookRunner", "bin", configuration, "net10.0", "meddeblur-notebook.dll");
        }
    }

    /// <summary>Runs <c>dotnet meddeblur-notebook.dll run ARGS</c>; returns exit code, stdout and stderr.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(IReadOnlyList<string> runArguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        start.ArgumentList.Add("run");
        foreach (var a in runArguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the notebook runner did not finish within {timeout}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
