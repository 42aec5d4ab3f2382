using System.CommandLine;
using MedDeblur.Blur;
using MedDeblur.Imaging;

namespace MedDeblur.Cli.Commands;

/// <summary><c>meddeblur simulate</c>: blur-sharp pairs, kernel images and a kernel CSV (the paper's Algorithm 1 and Figure 4).</summary>
public static class SimulateCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "an image, a folder (searched recursively) or a glob such as 'scans/**/*.tif'", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "output folder (blurred/, sharp/, kernels/, kernels.csv, figure)", Required = true };
        var seed = new Option<long>("--seed") { Description = "seed of the fixed per-image kernels", DefaultValueFactory = _ => 2023 };
        var length = new Option<int?>("--length") { Description = "use this kernel length for every image (needs --angle)" };
        var angle = new Option<double?>("--angle") { Description = "use this kernel angle in degrees for every image (needs --length)" };
        var normalization = new Option<KernelNormalization>("--normalization")
        {
            Description = "sum (brightness-preserving, default) or official (divide by d as the official code: ~20% darker)",
            DefaultValueFactory = _ => KernelNormalization.Sum,
        };
        var noise = new Option<double>("--noise") { Description = "standard deviation of additive Gaussian sensor noise in [0,1] units", DefaultValueFactory = _ => 0 };
        var command = new Command("simulate", "Blur images with motion kernels (Algorithm 1) and write blur-sharp pairs, kernels and a kernel CSV.")
        {
            input, output, seed, length, angle, normalization, noise,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            int? l = parse.GetValue(length);
            double? a = parse.GetValue(angle);
            if (l.HasValue != a.HasValue) throw new ArgumentException("--length and --angle go together: give both or neither");
            var simulator = new MotionBlurSimulator(new BlurOptions { Normalization = parse.GetValue(normalization), NoiseSigma = parse.GetValue(noise) });
            var files = ImageFiles.Resolve(parse.GetValue(input)!);
            string folder = parse.GetValue(output)!;
            var results = ConsoleProgress.Run($"simulating {files.Count} image(s)", files.Count,
                report => PairExport.Run(files, folder, simulator, parse.GetValue(seed), l is int d ? new BlurKernelParameters(d, a!.Value) : null,
                    r => report(r.Error is null ? r.Input.RelativePath : $"skipped {r.Input.RelativePath}")));
            foreach (var failed in results.Where(r => r.Error is not null)) Console.Error.WriteLine($"skipped: {failed.Error}");
            Console.WriteLine($"{results.Count(r => r.Error is null)} pair(s) written to {Path.GetFullPath(folder)} ({simulator.Options.Describe()})");
            return results.Any(r => r.Error is null) ? 0 : 1;
        }));
        return command;
    }
}
