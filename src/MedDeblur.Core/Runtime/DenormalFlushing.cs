using System.Runtime.InteropServices;

namespace MedDeblur.Runtime;

/// <summary>
/// Flush-to-zero / denormals-are-zero for LibTorch's CPU kernels: PyTorch's <c>torch.set_flush_denormal(True)</c>, which
/// TorchSharp does not expose, reached through LibTorch's own <c>at::Context::setFlushDenormal</c>. During training,
/// attention maps and gradients produce denormal floats; on x86 each operation on one costs ~100 cycles, and on the
/// reference machine a smoke-sized training step slowed from 60 ms to 14–25 s once they appeared. Flushing them to zero
/// changes results only below 1.2e-38. The setting is per thread and inherited by threads created later (LibTorch's
/// OpenMP pool), so it is applied at start-up. <c>MEDDEBLUR_FLUSH_DENORMAL=0</c> turns it off.
/// </summary>
public static partial class DenormalFlushing
{
    /// <summary>True once flushing is active.</summary>
    public static bool Enabled { get; private set; }

    /// <summary>Enables flushing (no-op when disabled by the environment or when LibTorch does not offer it).</summary>
    public static bool Apply()
    {
        if (Environment.GetEnvironmentVariable("MEDDEBLUR_FLUSH_DENORMAL") == "0") return false;
        try
        {
            Enabled = SetFlushDenormal(GlobalContext(), true);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Enabled = false; // a LibTorch build without the symbol, or a non-Itanium C++ ABI (Windows): leave the default
        }
        return Enabled;
    }

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at7Context16setFlushDenormalEb")]
    [return: MarshalAs(UnmanagedType.I1)]
    private static partial bool SetFlushDenormal(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool on);
}
