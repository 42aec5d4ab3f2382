namespace MedDeblur.Tests.Notebooks;

internal static class TestStartup
{
    /// <summary>One LibTorch thread in every kernel and runner process these tests start (they inherit this process's
    /// environment): <c>dotnet test</c> runs MedDeblur.Core.Tests, on one thread too, beside this assembly on the two cores.</summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Initialize() => Environment.SetEnvironmentVariable("OMP_NUM_THREADS", "1");
}
