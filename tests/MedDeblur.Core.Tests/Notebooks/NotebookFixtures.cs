using MedDeblur.NotebookRunner;

namespace MedDeblur.Tests.Notebooks;

/// <summary>Paths of the committed test notebooks and a builder for small in-memory notebooks.</summary>
internal static class NotebookFixtures
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Notebooks");

    public static string Succeeds => Path.Combine(Folder, "succeeds.ipynb");

    public static string FailsInCell3 => Path.Combine(Folder, "fails-in-cell-3.ipynb");

    public static string WrongNugetVersion => Path.Combine(Folder, "wrong-nuget-version.ipynb");

    /// <summary>The repository's own central versions (found above the test output folder).</summary>
    public static CentralPackageVersions Central =>
        CentralPackageVersions.TryFindFrom(Folder) ?? throw new InvalidOperationException("no Directory.Packages.props above " + Folder);

    /// <summary>A Polyglot notebook of code cells c1, c2, ... with these sources.</summary>
    public static Notebook Code(params string[] sources) =>
        Notebook.CreatePolyglot(sources.Select((s, i) => NotebookCell.CreateCode($"c{i + 1}", s)));

    /// <summary>Runs an in-memory notebook with the fixture folder as its folder.</summary>
    public static Task<NotebookRunResult> RunAsync(Notebook notebook, NotebookRunOptions? options = null) =>
        NotebookExecutor.RunAsync(notebook, Folder, options);
}
