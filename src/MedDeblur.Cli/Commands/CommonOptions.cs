using System.CommandLine;

namespace MedDeblur.Cli.Commands;

/// <summary>Options shared by several verbs, so they are spelled and described the same everywhere.</summary>
public static class CommonOptions
{
    /// <summary><c>--device auto|cpu|cuda[:N]</c>.</summary>
    public static Option<string> Device() => new("--device")
    {
        Description = "auto (CUDA when available), cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary><c>--json</c>: machine-readable output on stdout.</summary>
    public static Option<bool> Json() => new("--json") { Description = "print JSON instead of text" };
}
