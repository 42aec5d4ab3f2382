namespace MedDeblur.Tests;

/// <summary>A test class whose every test gets a fresh temporary folder (<see cref="Temp"/>), deleted after the test.</summary>
public abstract class TempFolderTest : IDisposable
{
    /// <summary>The test's temporary folder (exists).</summary>
    protected string Temp { get; } = Fixture.TempFolder();

    /// <summary>Deletes the folder (and, in a subclass, what else the test made).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Deletes the temporary folder; a subclass that holds more overrides this and calls the base.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && Directory.Exists(Temp)) Directory.Delete(Temp, recursive: true);
    }
}
