using System.CommandLine;
using System.Globalization;
using MedDeblur.Weights;

namespace MedDeblur.Cli.Commands;

/// <summary>
/// <c>meddeblur weights</c>: lists the shipped weights (<c>weights/</c>) and checks each file's SHA-256 against its
/// manifest; <c>meddeblur weights export RUN [--to DIR] [--as PRESET]</c> makes a shipped entry from a finished training run.
/// </summary>
public static class WeightsCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create()
    {
        var folder = new Option<string?>("--folder") { Description = "weights folder (default: the kit's weights/ or $MEDDEBLUR_WEIGHTS)" };
        var command = new Command("weights", "List the shipped trained networks and verify their SHA-256; 'export' makes one from a training run.") { folder };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            string? root = parse.GetValue(folder) ?? ShippedWeights.Root;
            var list = ShippedWeights.List(root);
            if (list.Count == 0) { Console.WriteLine($"no shipped weights in {root ?? "weights/ (not found)"}"); return 0; }
            int damaged = 0;
            foreach (var (path, m) in list)
            {
                string state;
                try { ShippedWeights.Verify(path, m); state = "SHA-256 ok"; }
                catch (MedDeblurException e) { state = "DAMAGED: " + e.Message; damaged++; }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{m.File}: {m.Network}, {m.Preset} preset, step {m.Step} of {m.TrainedSteps}, {m.CpuMinutes:0} CPU min, validation gain {m.ValidationGain:+0.00;-0.00} dB; {state}"));
            }
            return damaged > 0 ? 1 : 0;
        }));

        var run = new Argument<string>("run") { Description = "a training run folder (its best checkpoint is exported)" };
        var to = new Option<string?>("--to") { Description = "destination folder (default: the kit's weights/)" };
        var asPreset = new Option<string?>("--as") { Description = "ship it as this preset's weights (a fine-tuning run with its own recipe file; its network and blur must be the preset's)" };
        var export = new Command("export", "Export a training run's best checkpoint (without optimizer state) and its manifest to the weights folder.") { run, to, asPreset };
        export.SetAction(parse => CliRunner.Run(() =>
        {
            string destination = parse.GetValue(to) ?? ShippedWeights.Root
                ?? throw new MedDeblurException("no weights/ folder was found above the current directory: give --to DIR");
            var (path, m) = ShippedWeights.Export(parse.GetValue(run)!, destination, parse.GetValue(asPreset));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFullPath(path)}: {m.Network} ({m.Preset}) step {m.Step}, {m.Bytes / 1024.0:0} KiB, SHA-256 {m.Sha256}"));
        }));
        command.Subcommands.Add(export);
        return command;
    }
}
