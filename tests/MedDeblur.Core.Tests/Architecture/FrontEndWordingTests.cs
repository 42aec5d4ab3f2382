using System.Text.RegularExpressions;

namespace MedDeblur.Tests.Architecture;

/// <summary>
/// The library holds no front-end wording: no command-line option (<c>--name</c>) and no notebook name in the code of
/// MedDeblur.Core. Its errors carry the facts (typed exceptions) and each front end words them (src/MedDeblur.Cli/CliMessages.cs).
/// </summary>
public sealed partial class FrontEndWordingTests
{
    [GeneratedRegex(@"(?<![-!<\w])--[a-z]")]
    private static partial Regex CliOption();

    [GeneratedRegex(@"(?i)\bnotebooks? 0?\d\b")]
    private static partial Regex NumberedNotebook();

    private static IEnumerable<(string File, int Line, string Text)> CoreLines()
    {
        string core = Path.Combine(Fixture.RepositoryRoot(), "src", "MedDeblur.Core");
        foreach (var file in Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(core, file).Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal)) continue;
            int n = 0;
            foreach (var line in File.ReadLines(file)) yield return (relative, ++n, line);
        }
    }

    [Fact]
    public void No_command_line_option_is_named_in_the_library()
    {
        Assert.Empty(CoreLines().Where(l => CliOption().IsMatch(l.Text)).Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}"));
    }

    [Fact]
    public void No_notebook_is_named_in_the_library()
    {
        var names = Directory.GetFiles(Path.Combine(Fixture.RepositoryRoot(), "notebooks"), "*.ipynb")
            .Select(Path.GetFileNameWithoutExtension).OfType<string>().ToArray();
        Assert.NotEmpty(names);
        Assert.Empty(CoreLines().Where(l => NumberedNotebook().IsMatch(l.Text) || names.Any(n => l.Text.Contains(n, StringComparison.Ordinal)))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}"));
    }
}
