using System.CommandLine;
using MedDeblur.Blur;
using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Evaluation;
using MedDeblur.Metrics;
using MedDeblur.Runtime;
using MedDeblur.Training;

namespace MedDeblur.Cli.Commands;

/// <summary><c>meddeblur evaluate</c>: scores checkpoints (and the blurry input, and the oracles) per modality on a split.</summary>
public static class EvaluateCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create()
    {
        var checkpoints = new Option<string[]>("--checkpoint", "-c") { Description = "checkpoint(s) to evaluate (repeat the option or list several); PyTorch weights (.pth) of MedDeblur or SRN-DeblurNet are accepted and take the paper preset's settings", AllowMultipleArgumentsPerToken = true };
        var data = CommonOptions.Data();
        var split = new Option<DatasetSplit>("--split") { Description = "which split to score", DefaultValueFactory = _ => DatasetSplit.Test };
        var output = new Option<string>("--output", "-o") { Description = "folder for per_image.csv, table.csv/.md and the restored images", Required = true }.FolderOnly();
        var oracles = new Option<bool>("--oracles") { Description = "add the Wiener and Richardson-Lucy rows that are told the true kernel" };
        var conventions = new Option<string>("--conventions") { Description = "metric conventions: paper or literature (docs/metrics.md)", DefaultValueFactory = _ => "paper" };
        var kernelSeed = new Option<long>("--kernel-seed") { Description = "seed of the fixed kernels (keep the default to compare with other runs)", DefaultValueFactory = _ => 2023 };
        var preset = new Option<string?>("--preset") { Description = "take the blur settings from this preset instead of the first checkpoint" };
        var selfEnsemble = CommonOptions.SelfEnsemble();
        var device = CommonOptions.Device();
        var command = new Command("evaluate", "Evaluate checkpoints per modality with fixed kernels (the paper's Table 2): per-image CSV, Markdown/CSV table.")
        {
            checkpoints, data, split, output, oracles, conventions, kernelSeed, preset, selfEnsemble, device,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var paths = parse.GetValue(checkpoints) ?? [];
            using var methods = new DeblurMethodSet(TorchRuntime.ResolveDevice(parse.GetValue(device)!));
            RunOptions? first = null;
            foreach (var path in paths)
            {
                bool ensemble = parse.GetValue(selfEnsemble);
                var header = methods.AddNetwork(path, name => (ensemble ? $"{name} x8" : name) + (paths.Length == 1 ? "" : $" ({Distinct(path, paths)})"), selfEnsemble: ensemble);
                first ??= RunOptions.Parse(header.Options.ToJsonString(), path);
            }
            if (parse.GetValue(oracles)) methods.AddOracles();
            // blur and split ratios: the preset's when one is given, else the first checkpoint's (kit defaults without either)
            var options = parse.GetValue(preset) is { } p ? RunFolder.ReadOptions(p) : first ?? new RunOptions();
            if (parse.GetValue(data) is { } root) options = options with { Data = options.Data with { Root = Path.GetFullPath(root) } };
            var items = RunFolder.OpenDataset(options).Split(parse.GetValue(split));
            string folder = parse.GetValue(output)!;
            var results = ConsoleProgress.Run($"evaluating {methods.Methods.Count} method(s) on {items.Count} image(s)", items.Count,
                report => Evaluator.Run(items, methods.Methods, new MotionBlurSimulator(options.Blur),
                    new EvaluationSettings { KernelSeed = parse.GetValue(kernelSeed), Conventions = MetricConventions.Named(parse.GetValue(conventions)!), OutputFolder = Path.Combine(folder, "outputs") },
                    report));
            results.Save(folder, "table");
            Console.WriteLine(results.ComparisonTable().ToMarkdown());
        }));
        return command;
    }

    /// <summary>The checkpoint's file name, or the path as given when another checkpoint has the same file name.</summary>
    private static string Distinct(string path, string[] paths) =>
        paths.Count(p => Path.GetFileName(p) == Path.GetFileName(path)) == 1 ? Path.GetFileName(path) : path;
}
