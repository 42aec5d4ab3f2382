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

    /// <summary><c>--preset NAME|FILE</c>.</summary>
    public static Option<string> Preset(string fallback = "quick") => new("--preset", "-p")
    {
        Description = "preset name (smoke, quick, paper) or path to a preset .json file",
        DefaultValueFactory = _ => fallback,
    };

    /// <summary><c>--data DIR</c>: dataset root (default: the embedded sample set).</summary>
    public static Option<string?> Data() => new("--data", "-d")
    {
        Description = "dataset root: one subfolder per modality (default: data/samples or $MEDDEBLUR_DATA)",
    };

    /// <summary><c>--max-pixels N</c>: the largest image (width x height) a verb reads; larger files are refused.</summary>
    public static Option<long> MaxPixels()
    {
        var option = new Option<long>("--max-pixels")
        {
            Description = "refuse images larger than this many pixels (width x height)",
            DefaultValueFactory = _ => new Imaging.ImageReadOptions().MaxPixels,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long>() < 1) result.AddError($"--max-pixels must be at least 1, got {result.GetValueOrDefault<long>()}");
        });
        return option;
    }

    /// <summary>Refuses an existing file as the value of a folder option (<c>--output</c>), naming it.</summary>
    public static T FolderOnly<T>(this T option) where T : Option
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.LastOrDefault()?.Value is { } value && File.Exists(value))
                result.AddError($"{option.Name} {value} is an existing file; give a folder (it is created when missing)");
        });
        return option;
    }

    /// <summary><c>--self-ensemble</c>: restore each image as the mean of its 8 flipped and rotated views.</summary>
    public static Option<bool> SelfEnsemble() => new("--self-ensemble")
    {
        Description = "restore each image as the mean of the network's outputs on its 8 flips and quarter turns (8x the time; docs/training.md)",
    };

    /// <summary><c>--json</c>: machine-readable output on stdout.</summary>
    public static Option<bool> Json() => new("--json") { Description = "print JSON instead of text" };
}
