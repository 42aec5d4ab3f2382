using System.Text.Json;
using MedDeblur.Runtime;

namespace MedDeblur.Cli;

/// <summary>Runs a verb's body and turns expected failures into one clear line on stderr and exit code 1.</summary>
public static class CliRunner
{
    /// <summary>Runs <paramref name="body"/>; returns 0 on success, 1 on a user-facing error.</summary>
    public static int Run(Action body) => Run(() => { body(); return 0; });

    /// <summary>Runs <paramref name="body"/> and returns its exit code, or 1 on a user-facing error.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            TorchRuntime.Initialize();
            return body();
        }
        catch (Exception e) when (e is MedDeblurException or ArgumentException or IOException or InvalidOperationException
                                       or UnauthorizedAccessException or FormatException or JsonException)
        {
            Console.Error.WriteLine($"error: {CliMessages.Describe(e)}");
            return 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // an unexpected failure (e.g. inside LibTorch): one readable line; the stack trace only on request
            string first = e.Message.Split('\n')[0];
            Console.Error.WriteLine($"internal error ({e.GetType().Name}): {first}");
            if (Environment.GetEnvironmentVariable("MEDDEBLUR_DEBUG") == "1") Console.Error.WriteLine(e);
            else Console.Error.WriteLine("set MEDDEBLUR_DEBUG=1 for the stack trace; please report it with the command line");
            return 2;
        }
    }
}
