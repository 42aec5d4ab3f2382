using System.CommandLine;
using System.Text.Json;
using MedDeblur.Imaging;
using MedDeblur.Metrics;
using static TorchSharp.torch;

namespace MedDeblur.Cli.Commands;

/// <summary><c>meddeblur metrics --reference A --test B</c>: PSNR, SSIM and DeltaE of one image pair.</summary>
public static class MetricsCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create()
    {
        var reference = new Option<FileInfo>("--reference", "-r") { Description = "the sharp (ground-truth) image", Required = true };
        var test = new Option<FileInfo>("--test", "-t") { Description = "the image to score (e.g. a deblurred output)", Required = true };
        var conventions = new Option<string>("--conventions")
        {
            Description = "metric conventions: paper (skimage on 8-bit RGB, the default) or literature (Y-channel PSNR, Gaussian SSIM); see docs/metrics.md",
            DefaultValueFactory = _ => "paper",
        };
        var deltaE = new Option<DeltaEFormula?>("--delta-e")
        {
            Description = "override the convention's DeltaE formula: ciede2000 or cie76",
            HelpName = "ciede2000|cie76",
        };
        var noQuantize = new Option<bool>("--no-quantize") { Description = "score the float values (peak 1) instead of 8-bit quantised images" };
        var maxPixels = CommonOptions.MaxPixels();
        var json = CommonOptions.Json();
        var command = new Command("metrics", "PSNR, SSIM and DeltaE of one image pair.") { reference, test, conventions, deltaE, noQuantize, maxPixels, json };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var c = MetricConventions.Named(parse.GetValue(conventions)!);
            c = c with { DeltaE = parse.GetValue(deltaE) ?? c.DeltaE, Quantize8Bit = c.Quantize8Bit && !parse.GetValue(noQuantize) };
            using var scope = NewDisposeScope();
            var read = new ImageReadOptions { MaxPixels = parse.GetValue(maxPixels) };
            using var a = ImageIO.Read(parse.GetValue(reference)!.FullName, read);
            using var b = ImageIO.Read(parse.GetValue(test)!.FullName, read);
            if (a.Width != b.Width || a.Height != b.Height)
                throw new MedDeblurException($"the images differ in size: {a.SourcePath} is {a.Width}x{a.Height}, {b.SourcePath} is {b.Width}x{b.Height}");
            var (x, y) = a.Channels == b.Channels ? (a.Pixels, b.Pixels) : (ImageIO.ToRgb(a.Pixels), ImageIO.ToRgb(b.Pixels));
            var s = ImageQuality.Measure(x, y, c)[0];
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(s, JsonDefaults.Options));
            else Console.WriteLine($"PSNR {s.Psnr:0.0000} dB  SSIM {s.Ssim:0.0000}  DeltaE {s.DeltaE:0.0000}\n{c.Describe()}");
        }));
        return command;
    }
}
