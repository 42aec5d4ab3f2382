namespace MedDeblur.Tests;

/// <summary>
/// Tests whose work runs in processes of their own (the dotnet-interactive kernel, the notebook runner): they run beside
/// the assembly's default collection, which holds every test that runs LibTorch in the test process (AssemblyInfo.cs).
/// A test here touches no process-wide state of the test process (current directory, environment, console, LibTorch)
/// and gives its child processes one thread each, so that the two collections share the two cores instead of
/// oversubscribing them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class OtherProcessesCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "other processes";
}
