using MedDeblur.Configuration;
using MedDeblur.Display;
using MedDeblur.Downstream;
using MedDeblur.Evaluation;
using MedDeblur.Inference;
using MedDeblur.Interactive;
using MedDeblur.Networks;
using MedDeblur.Reproduction;
using MedDeblur.Runtime;
using MedDeblur.Training;

namespace MedDeblur.Notebooks;

/// <summary>
/// Notebook 7 (Section 4.2): the downstream experiment with the deblurring networks of the reproduce run of the
/// notebook's preset (notebook 3), when it exists, plus the blurry input and the oracle rows; the same as
/// <c>meddeblur downstream --preset P --reproduce OUTPUT/reproduce-P --output OUTPUT/07-downstream</c>.
/// </summary>
public sealed class DownstreamNotebook : IDisposable
{
    private readonly List<DeblurNetwork> networks;

    private DownstreamNotebook(NotebookRun run, RunOptions options, SegmentationDataset dataset, List<IDeblurMethod> methods,
        List<DeblurNetwork> networks, IReadOnlyList<(string Row, string Source)> sources)
    {
        Run = run;
        Options = options;
        Dataset = dataset;
        Methods = methods;
        this.networks = networks;
        Sources = sources;
    }

    /// <summary>The notebook's run (preset, output).</summary>
    public NotebookRun Run { get; }

    /// <summary>The run options with the downstream data root and steps applied.</summary>
    public RunOptions Options { get; }

    /// <summary>Images with masks.</summary>
    public SegmentationDataset Dataset { get; }

    /// <summary>Rows after the sharp reference: blurry input, networks, oracles.</summary>
    public IReadOnlyList<IDeblurMethod> Methods { get; }

    /// <summary>Where each row comes from.</summary>
    public IReadOnlyList<(string Row, string Source)> Sources { get; }

    /// <summary>Output folder of the notebook: <c>OUTPUT/07-downstream</c>.</summary>
    public string Folder => Run.Folder("07-downstream");

    /// <summary>Prepares the experiment.</summary>
    /// <param name="run">From <see cref="NotebookRun.Load"/>.</param>
    /// <param name="dataRoot">Folder of images with <c>_mask</c> files; empty = the embedded lateral-ventricle set.</param>
    /// <param name="steps">U-Net training steps; 0 = the preset's.</param>
    public static DownstreamNotebook Load(NotebookRun run, string dataRoot, int steps = 0)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(dataRoot);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var options = run.Options;
        if (dataRoot.Trim().Length > 0) options = options with { Downstream = options.Downstream with { Root = Path.GetFullPath(dataRoot.Trim()) } };
        if (steps > 0) options = options with { Downstream = options.Downstream with { Steps = steps } };
        options = options.Validate();
        var dataset = SegmentationDataset.Open(options.Downstream.Root ?? SegmentationDataset.EmbeddedRoot, options.Data.Split);
        var methods = new List<IDeblurMethod> { new BlurryInput() };
        var sources = new List<(string, string)> { (DownstreamExperiment.SharpRow, "the sharp test images"), ("Blurry input", "each test image blurred with its fixed kernel") };
        var networks = new List<DeblurNetwork>();
        var device = TorchRuntime.ResolveDevice(options.Device);
        var tiles = new TileOptions { TileSize = options.Evaluation.TileSize, Overlap = options.Evaluation.TileOverlap };
        foreach (var model in options.Reproduce.Comparison)
        {
            string path = Path.Combine(run.ReproduceFolder, "runs", model, "checkpoints", "best.ckpt");
            if (!File.Exists(path)) continue;
            var (network, header) = Checkpoint.LoadNetwork(path);
            networks.Add(network);
            methods.Add(new NetworkMethod(NetworkRegistry.DisplayName(model), new Deblurrer(network, device, tiles)));
            sources.Add((NetworkRegistry.DisplayName(model), $"{path} (step {header.Step})"));
        }
        if (networks.Count == 0) sources.Add(("(no network)", $"no reproduce run in {run.ReproduceFolder}: run notebook 3 with the same preset and output to add its networks"));
        if (options.Evaluation.Oracles)
        {
            methods.AddRange([new WienerOracle(), new RichardsonLucyOracle(options.Evaluation.RichardsonLucyIterations)]);
            sources.Add((methods[^2].Name, "Wiener deconvolution told the true kernel"));
            sources.Add((methods[^1].Name, "Richardson-Lucy told the true kernel"));
        }
        return new DownstreamNotebook(run, options, dataset, methods, networks, sources);
    }

    /// <summary>The rows of the experiment and where each comes from.</summary>
    public ResultsTable MethodsTable()
    {
        var table = new ResultsTable("Inputs given to the U-Net", ["row", "from"]);
        foreach (var (row, source) in Sources) table.Add(row, source);
        return table;
    }

    /// <summary>Trains the U-Net on the sharp training images (or reuses it) and segments every input
    /// (<see cref="DownstreamRun.Run"/>), with an in-place progress display; the notebook's Stop button cancels.</summary>
    public DownstreamResult Execute()
    {
        var progress = Kit.Progress("U-Net on the sharp training images, then every input segmented");
        var result = DownstreamRun.Run(Options, Methods, Folder,
            p => progress.Report(0.9 * p.Step / p.TotalSteps, $"U-Net step {p.Step}/{p.TotalSteps} loss {p.Loss:0.0000}"),
            image => progress.Report(Math.Max(progress.Fraction, 0.9), $"segmented {image}"), Kit.Cancellation);
        progress.Done($"U-Net: {Folder}");
        return result;
    }

    /// <summary>Releases the networks.</summary>
    public void Dispose()
    {
        foreach (var n in networks) n.Dispose();
    }
}
