using System.CommandLine;
using MedDeblur.Blur;
using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Evaluation;
using MedDeblur.Inference;
using MedDeblur.Metrics;
using MedDeblur.Networks;
using MedDeblur.Reproduction;
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
        var device = CommonOptions.Device();
        var command = new Command("evaluate", "Evaluate checkpoints per modality with fixed kernels (the paper's Table 2): per-image CSV, Markdown/CSV table.")
        {
            checkpoints, data, split, output, oracles, conventions, kernelSeed, preset, device,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var paths = parse.GetValue(checkpoints) ?? [];
            var dev = TorchRuntime.ResolveDevice(parse.GetValue(device)!);
            var networks = new List<DeblurNetwork>();
            try
            {
                var methods = new List<IDeblurMethod> { new BlurryInput() };
                RunOptions? first = null;
                foreach (var path in paths)
                {
                    var (network, header) = Checkpoint.LoadNetwork(path);
                    networks.Add(network);
                    first ??= RunOptions.Parse(header.Options.ToJsonString(), path);
                    var tiles = new TileOptions { TileSize = first.Evaluation.TileSize, Overlap = first.Evaluation.TileOverlap };
                    string label = paths.Length == 1 ? ReproducePipeline.DisplayName(header.Model) : $"{ReproducePipeline.DisplayName(header.Model)} ({Path.GetFileName(path)})";
                    methods.Add(new NetworkMethod(label, new Deblurrer(network, dev, tiles)));
                }
                if (parse.GetValue(oracles)) methods.AddRange([new WienerOracle(), new RichardsonLucyOracle()]);
                var blur = parse.GetValue(preset) is { } p ? Presets.Load(p).Blur : first?.Blur ?? new BlurOptions();
                string root = parse.GetValue(data) ?? first?.Data.Root ?? SampleData.Root;
                var items = ImageFolderDataset.Open(root).Split(parse.GetValue(split));
                string folder = parse.GetValue(output)!;
                var results = ConsoleProgress.Run($"evaluating {methods.Count} method(s) on {items.Count} image(s)", items.Count,
                    report => Evaluator.Run(items, methods, new MotionBlurSimulator(blur),
                        new EvaluationSettings { KernelSeed = parse.GetValue(kernelSeed), Conventions = MetricConventions.Named(parse.GetValue(conventions)!), OutputFolder = Path.Combine(folder, "outputs") },
                        report));
                results.Save(folder, "table");
                Console.WriteLine(results.ComparisonTable().ToMarkdown());
            }
            finally
            {
                foreach (var n in networks) n.Dispose();
            }
        }));
        return command;
    }
}
