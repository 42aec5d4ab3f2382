using MedDeblur.NotebookRunner;
using Microsoft.DotNet.Interactive.Documents;

namespace MedDeblur.Tests.Notebooks;

/// <summary>Paths of the committed test notebooks and a builder for small in-memory notebooks.</summary>
internal static class NotebookFixtures
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Notebooks");

    public static string Succeeds => Path.Combine(Folder, "succeeds.ipynb");

    public static string FailsInCell3 => Path.Combine(Folder, "fails-in-cell-3.ipynb");

    public static string WrongNugetVersion => Path.Combine(Folder, "wrong-nuget-version.ipynb");

    /// <summary>The built MedDeblur.Core.dll that notebooks reference, relative to <see cref="Folder"/>.</summary>
    public static string CoreDllFromFolder => Path.GetRelativePath(Folder,
        Path.Combine(Fixture.RepositoryRoot(), "src", "MedDeblur.Interactive", "bin", "Debug", "net10.0", "MedDeblur.Core.dll"));

    /// <summary>The repository's own central versions (found above the test output folder).</summary>
    public static CentralPackageVersions Central =>
        CentralPackageVersions.TryFindFrom(Folder) ?? throw new InvalidOperationException("no Directory.Packages.props above " + Folder);

    /// <summary>A notebook of C# code cells c1, c2, ... with these sources.</summary>
    public static InteractiveDocument Code(params string[] sources) =>
        new(sources.Select((s, i) => new InteractiveDocumentElement(s, "csharp") { Id = $"c{i + 1}" }).ToList());

    /// <summary>Runs an in-memory notebook with the fixture folder as the kernel's working folder, by default in the
    /// in-process kernel (it starts in a second; the tool kernel is chosen by the tests about it).</summary>
    public static Task<NotebookRunResult> RunAsync(InteractiveDocument notebook, NotebookRunOptions? options = null) =>
        NotebookExecutor.RunAsync(notebook, null, (options ?? new NotebookRunOptions { Kernel = NotebookKernel.InProcess }) with { WorkingDirectory = Folder });
}
