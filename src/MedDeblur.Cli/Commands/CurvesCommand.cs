using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MedDeblur.Figures;

namespace MedDeblur.Cli.Commands;

/// <summary>
/// <c>meddeblur curves RUN... [--output FIG.png] [--json]</c>: learning curves of training runs (validation PSNR gain over the
/// blurry input against training CPU time) as a figure and a table, for choosing a training recipe (docs/training.md).
/// </summary>
public static class CurvesCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "run folders written by 'meddeblur train' (label = folder name)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--output", "-o") { Description = "write the figure to this .png" };
        var json = CommonOptions.Json();
        var command = new Command("curves", "Learning curves of training runs: validation PSNR gain over the blurry input against CPU time.")
        {
            runs, output, json,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var list = parse.GetValue(runs)!.Select(r => (Label: Path.GetFileName(Path.TrimEndingDirectorySeparator(r)), RunFolder: r)).ToArray();
            foreach (var (label, folder) in list.Where(r => Directory.Exists(r.RunFolder) && !LearningCurves.HasCurve(r.RunFolder)))
                Console.Error.WriteLine($"skipped: {label} (no validation with a gain yet)");
            list = list.Where(r => !Directory.Exists(r.RunFolder) || LearningCurves.HasCurve(r.RunFolder)).ToArray();
            var curves = LearningCurves.Summarise(list);
            if (parse.GetValue(output) is { } png)
                LearningCurves.Build(list).Save(png);
            if (parse.GetValue(json)) { Console.WriteLine(JsonSerializer.Serialize(curves, JsonDefaults.Options)); return; }
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine("| Run | Steps | CPU min | Gain at end (dB) | Best gain (dB) | at CPU min |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            foreach (var r in curves)
                Console.WriteLine(string.Create(c, $"| {r.Label} | {r.Steps} | {r.CpuMinutes:0.0} | {r.FinalGain:+0.00;-0.00} | {r.BestGain:+0.00;-0.00} | {r.BestAtCpuMinutes:0.0} |"));
        }));
        return command;
    }
}
