using static TorchSharp.torch;

namespace MedDeblur.Tests;

internal static class TestStartup
{
    /// <summary>LibTorch's intra-op threads before the tests lowered them: what a kit command uses on this machine.</summary>
    public static int DefaultThreads { get; private set; }

    /// <summary>The same start-up as every kit entry point (malloc settings, denormal flushing, load fix, the convolution
    /// self-check on the default threads), then one LibTorch thread: <c>dotnet test</c> runs MedDeblur.Notebooks.Tests, whose
    /// notebook kernels compute in other processes, beside this assembly, and two teams of spinning OpenMP threads on two
    /// cores slow both several-fold. Tests of numerics on the default configuration use <see cref="DefaultThreadsScope"/>.
    /// The CLI processes some tests start inherit one thread through <c>OMP_NUM_THREADS</c>.</summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Initialize()
    {
        MedDeblur.Runtime.TorchRuntime.Initialize();
        DefaultThreads = get_num_threads();
        set_num_threads(1);
        Environment.SetEnvironmentVariable("OMP_NUM_THREADS", "1");
    }
}

/// <summary>LibTorch on its default threads until disposed, as kit commands run (the tests here run one at a time).</summary>
internal sealed class DefaultThreadsScope : IDisposable
{
    private readonly int previous = get_num_threads();

    public DefaultThreadsScope() => set_num_threads(TestStartup.DefaultThreads);

    public void Dispose() => set_num_threads(previous);
}
