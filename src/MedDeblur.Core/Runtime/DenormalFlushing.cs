using System.Runtime.InteropServices;

namespace MedDeblur.Runtime;

/// <summary>
/// Flush-to-zero / denormals-are-zero for LibTorch's CPU kernels: PyTorch's <c>torch.set_flush_denormal(True)</c>, which
/// TorchSharp does not expose, reached through LibTorch's own <c>at::Context::setFlushDenormal</c>. During training,
/// attention maps and gradients produce denormal floats; on x86 each operation on one costs ~100 cycles, and on the
/// reference machine a smoke-sized training step slowed from 60 ms to 14–25 s once they appeared. Flushing them to zero
/// changes results only below 1.2e-38. <c>MEDDEBLUR_FLUSH_DENORMAL=0</c> turns it off.
/// <para>The setting is a register of each thread (MXCSR), copied only into threads that thread creates afterwards: its
/// OpenMP workers, which LibTorch starts at the thread's first parallel operation. A host that computes on threads
/// other than the one that started the kit (a test runner, a notebook kernel, a thread pool) therefore needs it on
/// every computing thread, before its first parallel operation: <see cref="ApplyToCurrentThread"/>, which
/// <see cref="TorchRuntime.Initialize"/> calls on every call, and every kit entry point that computes (network
/// creation, training, evaluation, deblurring) calls that.</para>
/// </summary>
public static partial class DenormalFlushing
{
    [ThreadStatic]
    private static bool appliedToThisThread;

    /// <summary>True once flushing is active (on the thread that started the kit, and on each thread that
    /// <see cref="ApplyToCurrentThread"/> reached).</summary>
    public static bool Enabled { get; private set; }

    /// <summary>Enables flushing on the calling thread (no-op when disabled by the environment or when LibTorch does not
    /// offer it); <see cref="Enabled"/> tells the outcome.</summary>
    public static bool Apply()
    {
        if (Environment.GetEnvironmentVariable("MEDDEBLUR_FLUSH_DENORMAL") == "0") return false;
        try
        {
            Enabled = SetFlushDenormal(true);
            appliedToThisThread = Enabled;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Enabled = false; // a LibTorch build without the symbol, or a non-Itanium C++ ABI (Windows): leave the default
        }
        return Enabled;
    }

    /// <summary>Enables flushing on the calling thread too, once per thread, when <see cref="Apply"/> enabled it.</summary>
    public static void ApplyToCurrentThread()
    {
        if (!Enabled || appliedToThisThread) return;
        appliedToThisThread = SetFlushDenormal(true);
    }

    // A static member of at::Context (LibTorch 2.x): the flag is its only argument. (Passed a context pointer first, it
    // would read the pointer's low byte as the flag.)
    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at7Context16setFlushDenormalEb")]
    [return: MarshalAs(UnmanagedType.I1)]
    private static partial bool SetFlushDenormal([MarshalAs(UnmanagedType.I1)] bool on);
}
