namespace MedDeblur.Tests;

internal static class TestStartup
{
    /// <summary>The same start-up as every kit entry point (malloc settings, denormal flushing, load fix).</summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Initialize() => MedDeblur.Runtime.TorchRuntime.Initialize();
}
