using System.CommandLine;
using MedDeblur.Imaging;
using MedDeblur.Inference;
using MedDeblur.Networks;
using MedDeblur.Runtime;
using MedDeblur.Training;
using MedDeblur.Weights;

namespace MedDeblur.Cli.Commands;

/// <summary><c>meddeblur deblur</c>: deblurs real images with a trained checkpoint, tile by tile when they are large.</summary>
public static class DeblurCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create()
    {
        var checkpoint = new Option<string?>("--checkpoint", "-c") { Description = "a checkpoint written by 'meddeblur train' or 'reproduce', or PyTorch weights (.pth) of MedDeblur (the authors' MedDeblur_checkpoint.pth) or SRN-DeblurNet (default: the shipped MedDeblur weights, weights/meddeblur-quick.ckpt, checked against their SHA-256)" };
        var input = new Option<string>("--input", "-i") { Description = "an image, a folder (recursive) or a glob such as 'scans/**/*.tif'", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "output folder (mirrors the input's relative paths; PNG/TIFF keep their name, other formats get .png appended: a.jpg -> a.jpg.png; never overwrites an input)", Required = true }.FolderOnly();
        var tile = new Option<int>("--tile") { Description = "tile size for large images (memory is bounded by the tile)", DefaultValueFactory = _ => 512 };
        var selfEnsemble = CommonOptions.SelfEnsemble();
        var overlap = new Option<int>("--overlap") { Description = "overlap between tiles, cross-faded", DefaultValueFactory = _ => 64 };
        var shard = new Option<string>("--shard") { Description = "process only shard i of n (0-based 'i/n'), for cluster job arrays", DefaultValueFactory = _ => "0/1" };
        var maxPixels = CommonOptions.MaxPixels();
        var device = CommonOptions.Device();
        var command = new Command("deblur", "Deblur images with a trained network; keeps bit depth, channels and alpha; skips finished outputs.")
        {
            checkpoint, input, output, tile, overlap, selfEnsemble, shard, maxPixels, device,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var part = CliMessages.ParseShard(parse.GetValue(shard)!);
            string outputFolder = parse.GetValue(output)!;
            var files = ImageFiles.Resolve(parse.GetValue(input)!, exclude: outputFolder, skipped: note => Console.Error.WriteLine($"skipped: {note}"));
            string? given = parse.GetValue(checkpoint);
            var (network, header) = given is null ? ShippedNetwork() : Checkpoint.LoadNetwork(given);
            using (network)
            {
                if (header.Integrity == FileIntegrity.NoChecksum)
                    Console.Error.WriteLine($"note: {given} has no checksum (written by an older version): loaded without an integrity check");
                var deblurrer = new Deblurrer(network, TorchRuntime.ResolveDevice(parse.GetValue(device)!),
                    new TileOptions { TileSize = parse.GetValue(tile), Overlap = parse.GetValue(overlap) }, parse.GetValue(selfEnsemble));
                var mine = files.Count(f => part.Contains(f.RelativePath));
                string origin = header.Format == PyTorchStateDict.FormatName ? $"PyTorch file, step {header.Step}" : $"step {header.Step}";
                Console.Error.WriteLine($"{header.Model} ({origin}); shard {part.Index}/{part.Count}: {mine} of {files.Count} file(s)");
                var results = ConsoleProgress.Run($"deblurring {mine} image(s)", mine,
                    report => BatchDeblur.Run(files, parse.GetValue(output)!, deblurrer, part, r => report($"{r.Status} {r.Input.RelativePath}"),
                        new ImageReadOptions { MaxPixels = parse.GetValue(maxPixels) }));
                foreach (var failed in results.Where(r => r.Status == "failed")) Console.Error.WriteLine($"failed: {failed.Input.RelativePath}: {failed.Error}");
                Console.WriteLine($"{results.Count(r => r.Status == "written")} written, {results.Count(r => r.Status == "skipped")} skipped (already done), " +
                                  $"{results.Count(r => r.Status == "failed")} failed -> {Path.GetFullPath(parse.GetValue(output)!)}");
                return results.Any(r => r.Status == "failed") ? 1 : 0; // the summary line gives the count
            }
        }));
        return command;
    }

    private static (DeblurNetwork Network, CheckpointHeader Header) ShippedNetwork()
    {
        var (network, header, manifest) = ShippedWeights.Load();
        Console.Error.WriteLine($"no --checkpoint: the shipped weights {manifest.File} ({manifest.Preset} preset, {manifest.Step} steps, " +
            $"{manifest.CpuMinutes:0} CPU min, SHA-256 verified)");
        return (network, header);
    }
}
