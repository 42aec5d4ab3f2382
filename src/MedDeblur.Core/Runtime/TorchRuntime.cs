using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Runtime;

/// <summary>Start-up, device selection and a description of the LibTorch runtime in use.</summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static volatile bool initialized;

    /// <summary>
    /// Prepares the process for TorchSharp: applies <see cref="MallocTuning"/>, on Linux loads the patched
    /// <c>libLibTorchSharp.so</c> that the build placed beside this assembly (so a notebook that referenced TorchSharp
    /// from the NuGet cache still gets the Debian 12 load fix), loads LibTorch, enables <see cref="DenormalFlushing"/> and
    /// chooses a correct convolution path with <see cref="ConvolutionSelfCheck"/>.
    /// Safe to call more than once; every kit entry point calls it. Each call also enables denormal flushing on the
    /// calling thread (<see cref="DenormalFlushing.ApplyToCurrentThread"/>).
    /// </summary>
    public static void Initialize()
    {
        if (!initialized) InitializeOnce();
        DenormalFlushing.ApplyToCurrentThread();
    }

    private static void InitializeOnce()
    {
        lock (Gate)
        {
            if (initialized) return;
            MallocTuning.Apply();
            if (OperatingSystem.IsLinux())
            {
                string beside = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
                string? own = Path.GetDirectoryName(typeof(TorchRuntime).Assembly.Location);
                foreach (var candidate in new[] { own is null ? null : Path.Combine(own, "libLibTorchSharp.so"), beside })
                {
                    if (candidate is not null && File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out _)) break;
                }
            }
            _ = get_num_threads(); // loads LibTorch before the flag below, and before LibTorch starts its thread pool
            DenormalFlushing.Apply();
            ConvolutionSelfCheck.Apply();
            initialized = true;
        }
    }

    /// <summary>
    /// Resolves a device name: <c>auto</c> (CUDA when available, else CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown, or CUDA was asked for and is not available.</exception>
    public static Device ResolveDevice(string name = "auto")
    {
        Initialize();
        string n = (name ?? "auto").Trim().ToLowerInvariant();
        if (n == "auto") return cuda.is_available() ? CUDA : CPU;
        if (n == "cpu") return CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new ArgumentException(
                    $"device '{name}': CUDA is not available in this build (backend '{BuildBackend}'). " +
                    "Build with -p:TorchBackend=cuda on a machine with an NVIDIA driver, see environment/README.md.");
            return new Device(n);
        }
        throw new ArgumentException($"device '{name}' is not one of auto, cpu, cuda, cuda:N.");
    }

    /// <summary>
    /// Throws when the start-up self-check found no convolution path that computes correct numbers on this CPU: training
    /// and evaluation call it so that they refuse instead of producing garbage.
    /// </summary>
    /// <exception cref="WrongNumericsException">No checked convolution path is correct here.</exception>
    public static void RequireCorrectNumerics()
    {
        Initialize();
        var check = ConvolutionSelfCheck.Result;
        if (check is { Correct: false, Forced: false })
            throw new WrongNumericsException(check);
    }

    /// <summary>The backend this library was built with (<c>cpu</c> or <c>cuda</c>, from the TorchBackend build property).</summary>
    public static string BuildBackend =>
        typeof(TorchRuntime).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TorchBackend")?.Value ?? "unknown";

    /// <summary>
    /// The one call of a notebook's first cell: <see cref="Initialize"/> (loads LibTorch with the Debian 12 fix, malloc
    /// and denormal settings), then <see cref="Describe"/> — versions, backend, device and threads, so a load problem shows
    /// in that cell.
    /// </summary>
    public static RuntimeInfo Setup(string device = "auto")
    {
        Initialize();
        return Describe(device);
    }

    /// <summary>Describes the runtime: versions, backend, device, threads and whether malloc tuning is active
    /// (initialises the runtime first, <see cref="Initialize"/>).</summary>
    public static RuntimeInfo Describe(string device = "auto")
    {
        var dev = ResolveDevice(device);
        return new RuntimeInfo(
            MedDeblurVersion: typeof(TorchRuntime).Assembly.GetName().Version?.ToString() ?? "?",
            TorchSharpVersion: typeof(torch).Assembly.GetName().Version?.ToString() ?? "?",
            LibTorchVersion: __version__,
            Backend: BuildBackend,
            Device: dev.ToString(),
            CudaAvailable: cuda.is_available(),
            Threads: get_num_threads(),
            MallocTuned: MallocTuning.Applied,
            DenormalsFlushed: DenormalFlushing.Enabled,
            Convolution: ConvolutionSelfCheck.Result?.ToString() ?? "not checked",
            Os: RuntimeInformation.OSDescription,
            Dotnet: RuntimeInformation.FrameworkDescription,
            ProcessorCount: Environment.ProcessorCount,
            Cpu: ConvolutionSelfCheck.CpuModel());
    }
}

/// <summary>What <see cref="TorchRuntime.Describe"/> reports.</summary>
/// <param name="MedDeblurVersion">Version of MedDeblur.Core.</param>
/// <param name="TorchSharpVersion">Version of TorchSharp.dll.</param>
/// <param name="LibTorchVersion">LibTorch version reported by the native library.</param>
/// <param name="Backend">Build backend (cpu or cuda).</param>
/// <param name="Device">Device that <c>auto</c> resolves to.</param>
/// <param name="CudaAvailable">Whether CUDA is usable.</param>
/// <param name="Threads">LibTorch intra-op threads.</param>
/// <param name="MallocTuned">Whether the glibc malloc settings are active.</param>
/// <param name="DenormalsFlushed">Whether LibTorch flushes denormal floats to zero.</param>
/// <param name="Convolution">The convolution path in use and the start-up self-check's verdict (<see cref="ConvolutionSelfCheck"/>).</param>
/// <param name="Os">Operating system description.</param>
/// <param name="Dotnet">.NET runtime description.</param>
/// <param name="ProcessorCount">Logical processors.</param>
/// <param name="Cpu">The CPU (vendor, family, model, model name from /proc/cpuinfo).</param>
public sealed record RuntimeInfo(
    string MedDeblurVersion, string TorchSharpVersion, string LibTorchVersion, string Backend, string Device,
    bool CudaAvailable, int Threads, bool MallocTuned, bool DenormalsFlushed, string Convolution, string Os, string Dotnet, int ProcessorCount,
    string Cpu = "")
{
    /// <inheritdoc />
    public override string ToString() =>
        $"MedDeblur.Core {MedDeblurVersion} | TorchSharp {TorchSharpVersion} | LibTorch {LibTorchVersion} | " +
        $"backend {Backend} | device {Device} | CPU {Cpu} | threads {Threads} | malloc tuned {MallocTuned} | denormals flushed {DenormalsFlushed} | {Os} | {Dotnet}\n" +
        $"convolutions: {Convolution}";
}

/// <summary>The start-up self-check found that no convolution path computes correct numbers on this CPU.</summary>
public sealed class WrongNumericsException : MedDeblurException
{
    /// <summary>Creates the exception from the self-check's verdict.</summary>
    public WrongNumericsException(ConvolutionCheckResult check)
        : base($"LibTorch's convolutions give wrong numbers on this CPU ({check.Machine}), on every path the kit knows: " +
               $"{string.Join("; ", check.Checks)}. Training or evaluating here would produce garbage; see environment/README.md " +
               "(\"Convolution self-check\") and report the CPU model.")
    {
        Check = check;
    }

    /// <summary>The self-check's verdict.</summary>
    public ConvolutionCheckResult Check { get; }
}
