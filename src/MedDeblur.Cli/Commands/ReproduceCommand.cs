using System.CommandLine;
using MedDeblur.Reproduction;
using MedDeblur.Training;

namespace MedDeblur.Cli.Commands;

/// <summary><c>meddeblur reproduce</c>: trains, evaluates and profiles every network and writes Tables 2–4, the figures and report.html.</summary>
public static class ReproduceCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create()
    {
        var preset = CommonOptions.Preset();
        var data = CommonOptions.Data();
        var output = new Option<string?>("--output", "-o") { Description = "output folder (default: runs/reproduce-<preset>); re-running continues it" }.FolderOnly();
        var device = CommonOptions.Device();
        var train = new Option<bool>("--train")
        {
            Description = "train every network from scratch instead of using the shipped weights (weights/; default output runs/reproduce-<preset>-scratch)",
        };
        var selfEnsemble = CommonOptions.SelfEnsemble();
        var command = new Command("reproduce", "Reproduce the paper's experiments: Tables 2, 3, 4, Figures 4, 5, 8, 9 and a self-contained report.html.")
        {
            preset, data, output, device, train, selfEnsemble,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var options = RunFolder.ReadOptions(parse.GetValue(preset)!, new RunOverrides { Device = parse.GetValue(device), DataRoot = parse.GetValue(data) });
            bool scratch = parse.GetValue(train);
            if (scratch) options = options with { Reproduce = options.Reproduce with { UseShippedWeights = false } };
            if (parse.GetValue(selfEnsemble)) options = options with { Evaluation = options.Evaluation with { SelfEnsemble = true } };
            string folder = parse.GetValue(output) ?? Path.Combine("runs",
                $"reproduce-{options.Name}{(scratch ? "-scratch" : "")}{(options.Evaluation.SelfEnsemble ? "-x8" : "")}");
            using var signals = new SignalCancellation("stopping after this step (checkpoint saved; run again to continue)");
            string stage = "";
            try
            {
                var result = ReproducePipeline.Run(options, folder, signals.Token, p =>
                {
                    if (p.Stage != stage) { stage = p.Stage; Console.Error.WriteLine($"== {stage}"); }
                    // stages that train report every tenth of their steps, the others every item
                    bool show = p.Steps is { } s ? s.Step == s.Total || s.Step % Math.Max(1, s.Total / 10) == 0 : p.Fraction is not null;
                    if (show) Console.Error.WriteLine($"   {p.Fraction ?? 1:P0} {p.Detail}");
                });
                Console.WriteLine(result.Comparison.ToMarkdown());
                if (result.Downstream is { } downstream) Console.WriteLine(downstream.ToMarkdown());
                Console.WriteLine(result.Ablation.ToMarkdown());
                Console.WriteLine(result.Analysis.ToMarkdown());
                Console.WriteLine($"report: {result.ReportPath} ({Durations.Format(result.Duration)})");
                return 0;
            }
            catch (OperationCanceledException e)
            {
                Console.Error.WriteLine(e.Message);
                return signals.ExitCode;
            }
        }));
        return command;
    }
}
