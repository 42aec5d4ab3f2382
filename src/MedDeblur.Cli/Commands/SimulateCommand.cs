using System.CommandLine;
using MedDeblur.Blur;
using MedDeblur.Data;
using MedDeblur.Figures;
using MedDeblur.Imaging;

namespace MedDeblur.Cli.Commands;

/// <summary><c>meddeblur simulate</c>: blur-sharp pairs, kernel images and a kernel CSV (the paper's Algorithm 1 and Figure 4).</summary>
public static class SimulateCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "an image, a folder (searched recursively) or a glob such as 'scans/**/*.tif'", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "output folder (blurred/, sharp/, kernels/, kernels.csv, figure)", Required = true }.FolderOnly();
        var root = new Option<string?>("--root")
        {
            Description = "folder the fixed kernels are keyed to: each image's kernel comes from (seed, its path relative to this folder), " +
                          "as in evaluation (default: the input folder; for a file or glob, the default data root when the input lies " +
                          "inside it, else the file's folder or the glob's fixed part)",
        };
        var seed = new Option<long>("--seed") { Description = "seed of the fixed per-image kernels", DefaultValueFactory = _ => 2023 };
        var length = new Option<int?>("--length") { Description = "use this kernel length for every image (needs --angle)" };
        var angle = new Option<double?>("--angle") { Description = "use this kernel angle in degrees for every image (needs --length)" };
        var normalization = new Option<KernelNormalization>("--normalization")
        {
            Description = "sum (brightness-preserving, default) or official (divide by d as the official code: ~20% darker)",
            HelpName = "sum|official",
            DefaultValueFactory = _ => KernelNormalization.Sum,
        };
        var noise = new Option<double>("--noise") { Description = "standard deviation of additive Gaussian sensor noise in [0,1] units", DefaultValueFactory = _ => 0 };
        var maxPixels = CommonOptions.MaxPixels();
        var command = new Command("simulate", "Blur images with motion kernels (Algorithm 1) and write blur-sharp pairs, kernels and a kernel CSV. " +
                                              "Exits with 1 when any image failed (the others are still written).")
        {
            input, output, root, seed, length, angle, normalization, noise, maxPixels,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            int? l = parse.GetValue(length);
            double? a = parse.GetValue(angle);
            if (l.HasValue != a.HasValue) throw new ArgumentException("--length and --angle go together: give both or neither");
            var fixedKernel = l is int d ? new BlurKernelParameters(d, a!.Value) : null;
            var simulator = new MotionBlurSimulator(new BlurOptions { Normalization = parse.GetValue(normalization), NoiseSigma = parse.GetValue(noise) });
            string inputValue = parse.GetValue(input)!;
            string folder = parse.GetValue(output)!;
            var files = ImageFiles.Resolve(inputValue, parse.GetValue(root) ?? DefaultRoot(inputValue), exclude: folder,
                skipped: note => Console.Error.WriteLine($"skipped: {note}"));
            var results = ConsoleProgress.Run($"simulating {files.Count} image(s)", files.Count,
                report => PairExport.Run(files, folder, simulator, parse.GetValue(seed), fixedKernel,
                    r => report(r.Error is null ? r.Input.RelativePath : $"failed {r.Input.RelativePath}"),
                    readOptions: new ImageReadOptions { MaxPixels = parse.GetValue(maxPixels) }));
            var failed = results.Where(r => r.Error is not null).ToArray();
            foreach (var f in failed) Console.Error.WriteLine($"failed: {f.Input.RelativePath}: {f.Error}");
            Console.WriteLine($"{results.Count - failed.Length} pair(s) written, {failed.Length} failed -> {Path.GetFullPath(folder)} " +
                              $"({simulator.Options.Describe(fixedKernel)})");
            return failed.Length > 0 ? 1 : 0;
        }));
        return command;
    }

    /// <summary>
    /// The key root when --root is not given: null (the input folder itself) for a folder; for a file or glob the default
    /// data root (data/samples or $MEDDEBLUR_DATA) when the input lies inside it, so <c>simulate --input data/samples/mri/x.png</c>
    /// gets the kernel evaluation uses for <c>mri/x.png</c>; otherwise null (the file's folder, the glob's fixed part).
    /// </summary>
    private static string? DefaultRoot(string input)
    {
        if (Directory.Exists(input)) return null;
        string dataRoot;
        try { dataRoot = SampleData.Root; }
        catch (MedDeblurException) { return null; }
        return Directory.Exists(dataRoot) && ImageFiles.IsInside(ImageFiles.BaseFolder(input), dataRoot) ? dataRoot : null;
    }
}
