namespace MedDeblur.Data;

/// <summary>
/// Locates the kit's embedded sample set (<c>data/samples</c>: real X-ray, CT, MRI, microscopy and fundus images with
/// their provenance), the default dataset of every command.
/// </summary>
public static class SampleData
{
    /// <summary>Environment variable that overrides the default dataset root.</summary>
    public const string EnvironmentVariable = "MEDDEBLUR_DATA";

    /// <summary>
    /// The default dataset root: <c>MEDDEBLUR_DATA</c> if set, else <c>data/samples</c> found by walking up from the
    /// current directory and from the application's folder.
    /// </summary>
    /// <exception cref="MedDeblurException">Not found; the message says where it looked and how to point at data.</exception>
    public static string Root
    {
        get
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment)) return Path.GetFullPath(fromEnvironment);
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    string candidate = Path.Combine(dir.FullName, "data", "samples");
                    if (Directory.Exists(candidate)) return candidate;
                }
            throw new SampleDataNotFoundException(
                $"the sample set data/samples was not found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}; " +
                $"give a dataset root or set {EnvironmentVariable}");
        }
    }
}

/// <summary>No dataset root was given and the embedded sample set was not found; a front end says how to give a root.</summary>
public sealed class SampleDataNotFoundException : MedDeblurException
{
    /// <summary>Creates the exception.</summary>
    public SampleDataNotFoundException(string message) : base(message) { }
}
