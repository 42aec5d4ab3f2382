using System.CommandLine;
using MedDeblur.Configuration;
using MedDeblur.Downstream;
using MedDeblur.Evaluation;
using MedDeblur.Inference;
using MedDeblur.Networks;
using MedDeblur.Reproduction;
using MedDeblur.Runtime;
using MedDeblur.Training;

namespace MedDeblur.Cli.Commands;

/// <summary><c>meddeblur downstream</c>: the paper's Section 4.2, a U-Net segmenting sharp, blurry and deblurred test images.</summary>
public static class DownstreamCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create()
    {
        var preset = CommonOptions.Preset();
        var data = new Option<string?>("--data", "-d") { Description = "folder of images with NAME_mask.* beside each NAME.* (default: data/downstream/colin27-ventricles)" };
        var checkpoints = new Option<string[]>("--checkpoint", "-c") { Description = "deblurring checkpoint(s) to compare (repeat the option or list several)", AllowMultipleArgumentsPerToken = true };
        var reproduce = new Option<string?>("--reproduce") { Description = "compare every network of this reproduce run (its runs/<model>/checkpoints/best.ckpt, Table 2's networks)" };
        var oracles = new Option<bool?>("--oracles") { Description = "add the Wiener and Richardson-Lucy rows told the true kernel (default: the preset's evaluation.oracles)" };
        var steps = new Option<int?>("--steps") { Description = "U-Net training steps (default: the preset's downstream.steps)" };
        var output = new Option<string?>("--output", "-o") { Description = "output folder (default: runs/downstream-<preset>); the U-Net is reused when the options match" };
        var device = CommonOptions.Device();
        var command = new Command("downstream", "Section 4.2: train a U-Net on sharp images with masks, then score Dice, IoU and detection F1 on sharp, blurry and deblurred test images (table, Figures 6 and 7).")
        {
            preset, data, checkpoints, reproduce, oracles, steps, output, device,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var options = RunFolder.ReadOptions(parse.GetValue(preset)!, new RunOverrides { Device = parse.GetValue(device) });
            if (parse.GetValue(data) is { } root) options = options with { Downstream = options.Downstream with { Root = Path.GetFullPath(root) } };
            if (parse.GetValue(steps) is int stepCount) options = options with { Downstream = options.Downstream with { Steps = stepCount } };
            options = options.Validate();
            string folder = parse.GetValue(output) ?? Path.Combine("runs", $"downstream-{options.Name}");
            var paths = (parse.GetValue(checkpoints) ?? []).ToList();
            if (parse.GetValue(reproduce) is { } run)
            {
                var reproduced = RunFolder.At(run);
                var found = options.Reproduce.Comparison.Select(m => TrainStage.CheckpointOf(reproduced, m)).OfType<string>().ToArray();
                if (found.Length == 0) throw new MedDeblurException($"{run} holds no trained network (runs/<model>/checkpoints) of {string.Join(", ", options.Reproduce.Comparison)}");
                paths.AddRange(found);
            }
            using var methods = new DeblurMethodSet(TorchRuntime.ResolveDevice(options.Device));
            var tiles = new TileOptions { TileSize = options.Evaluation.TileSize, Overlap = options.Evaluation.TileOverlap };
            foreach (var path in paths)
                methods.AddNetwork(path, name => methods.Names.Contains(name) ? $"{name} ({Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path)))})" : name, tiles);
            if (parse.GetValue(oracles) ?? options.Evaluation.Oracles) methods.AddOracles(options.Evaluation.RichardsonLucyIterations);
            using var signals = new SignalCancellation("stopping the U-Net's training (nothing is saved; run again to start over)");
            int testImages = SegmentationDataset.Open(options.Downstream.Root ?? SegmentationDataset.EmbeddedRoot, options.Data.Split).Split(Data.DatasetSplit.Test).Count;
            DownstreamResult result;
            try
            {
                // one bar: the U-Net's training steps, then one tick per segmented test image
                result = ConsoleProgress.Run($"U-Net: {options.Downstream.Steps} training steps, then {testImages} test image(s) x {methods.Methods.Count + 1} inputs",
                    options.Downstream.Steps + testImages, report => DownstreamRun.Run(options, methods.Methods, folder,
                        p => report($"train step {p.Step}/{p.TotalSteps} loss {p.Loss:0.0000}"), image => report($"segment {image}"), signals.Token));
            }
            catch (OperationCanceledException e)
            {
                Console.Error.WriteLine(e.Message);
                return signals.ExitCode;
            }
            Console.WriteLine(result.Table.ToMarkdown());
            Console.WriteLine($"written: {Path.GetFullPath(Path.Combine(folder, "tables"))}, {Path.GetFullPath(Path.Combine(folder, "figures"))}");
            return 0;
        }));
        return command;
    }
}
