using System.Runtime.InteropServices;

namespace MedDeblur.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT) and a scheduler's termination (SIGTERM, e.g. Slurm at the time limit, <c>docker stop</c>) into a
/// cancellation, so training saves a checkpoint and the process exits cleanly with the shell's code for the signal
/// (130 for SIGINT, 143 for SIGTERM) instead of being killed mid-step.
/// </summary>
public sealed class SignalCancellation : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration[] registrations;

    /// <summary>Registers the handlers; <paramref name="message"/> is printed to stderr when a signal arrives.</summary>
    public SignalCancellation(string message)
    {
        registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(signal => PosixSignalRegistration.Create(signal, context =>
        {
            context.Cancel = true; // keep running until the current step is done and the checkpoint is written
            if (source.IsCancellationRequested) return;
            ExitCode = context.Signal == PosixSignal.SIGTERM ? 143 : 130;
            Console.Error.WriteLine($"{(context.Signal == PosixSignal.SIGTERM ? "SIGTERM" : "Ctrl+C")}: {message}");
            source.Cancel();
        })).ToArray();
    }

    /// <summary>Cancelled when a signal arrived.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>130 after SIGINT, 143 after SIGTERM (meaningful once <see cref="Token"/> is cancelled).</summary>
    public int ExitCode { get; private set; } = 130;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        source.Dispose();
    }
}
