using System.Text.Json;

namespace MedDeblur.Tests;

/// <summary>Access to committed fixture files (copied beside the test assembly) and to the repository's sample set.</summary>
internal static class Fixture
{
    /// <summary>Full path of a fixture under Fixtures/.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    /// <summary>Parses a JSON fixture.</summary>
    public static JsonDocument Json(params string[] parts) => JsonDocument.Parse(File.ReadAllText(Path(parts)));

    /// <summary>The repository root (the folder holding MedDeblur.slnx), found from the test assembly's location.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MedDeblur.slnx"))) return dir.FullName;
        throw new InvalidOperationException("repository root (MedDeblur.slnx) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A file of the embedded sample set data/samples.</summary>
    public static string Sample(string relative) => System.IO.Path.Combine(RepositoryRoot(), "data", "samples", relative);

    /// <summary>A fresh temporary folder, deleted by the caller.</summary>
    public static string TempFolder()
    {
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "meddeblur-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
