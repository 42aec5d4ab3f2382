namespace MedDeblur;

/// <summary>
/// A setting of the library has a value it cannot work with. It carries the facts (which setting, what is wrong) and
/// leaves the wording of the setting to each front end: the command line names its option, a notebook its parameter.
/// </summary>
public sealed class SettingException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="setting">The library's name of the setting, <c>Type.Property</c> (e.g. <c>TileOptions.TileSize</c>).</param>
    /// <param name="problem">What is wrong, in the user's terms, without the setting's name (e.g. "the tile size must be at
    /// least 32 pixels, got 16").</param>
    public SettingException(string setting, string problem) : base(problem, setting)
    {
        Setting = setting;
        Problem = problem;
    }

    /// <summary>The library's name of the setting, <c>Type.Property</c>.</summary>
    public string Setting { get; }

    /// <summary>What is wrong, without the setting's name.</summary>
    public string Problem { get; }

    /// <inheritdoc />
    public override string Message => $"{Problem} ({Setting})";
}
