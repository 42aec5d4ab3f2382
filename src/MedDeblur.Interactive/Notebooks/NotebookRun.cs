using MedDeblur.Analysis;
using MedDeblur.Blur;
using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Display;
using MedDeblur.Figures;
using MedDeblur.Imaging;
using MedDeblur.Networks;
using MedDeblur.Reproduction;
using MedDeblur.Runtime;
using MedDeblur.Training;
using MedDeblur.Weights;

namespace MedDeblur.Notebooks;

/// <summary>
/// What every notebook starts from: the run options of a preset with the notebook's data root applied, the output
/// folder, and the folders and checkpoints the notebooks share (notebook 2's training run, the reproduce run of
/// notebooks 3 and 4).
/// </summary>
/// <remarks>The same resolution as the command line: <c>--preset P --data DIR --output DIR</c>.</remarks>
[TypeFormatterSource(typeof(HtmlFormatterSource))]
public sealed class NotebookRun : IHtmlDisplayable
{
    private NotebookRun(RunOptions options, string output)
    {
        Options = options;
        Output = Path.GetFullPath(output);
    }

    /// <summary>The run options: the preset, with <see cref="DataOptions.Root"/> set when a data root was given.</summary>
    public RunOptions Options { get; }

    /// <summary>The output folder (absolute).</summary>
    public string Output { get; }

    /// <summary>The dataset root: the given data root, else the embedded sample set (<see cref="SampleData.Root"/>).</summary>
    public string DataRoot => Options.Data.Root ?? SampleData.Root;

    /// <summary>Where the reproduce pipeline writes this preset's run: <c>OUTPUT/reproduce-PRESET</c>, the folder
    /// <c>meddeblur reproduce</c> writes (<c>runs/reproduce-PRESET</c>) when OUTPUT is the repository's <c>runs</c>.</summary>
    public string ReproduceFolder => Path.Combine(Output, "reproduce-" + Options.Name);

    /// <summary>
    /// Loads a preset (name or .json path, <see cref="Presets.Load"/>) and applies the notebook parameters every notebook
    /// has.
    /// </summary>
    /// <param name="preset">smoke, quick, paper or a path to a preset file.</param>
    /// <param name="dataRoot">Dataset folder; empty = the embedded sample set.</param>
    /// <param name="output">Output folder of the notebooks.</param>
    /// <param name="model">Network to train (notebook 2); null or empty = the preset's.</param>
    /// <param name="steps">Training steps; 0 = the preset's.</param>
    /// <param name="device">auto, cpu, cuda or cuda:N (as <c>--device</c>); empty = the preset's.</param>
    public static NotebookRun Load(string preset, string dataRoot, string output, string? model = null, int steps = 0, string device = "")
    {
        ArgumentNullException.ThrowIfNull(dataRoot);
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var options = RunFolder.ReadOptions(preset, new RunOverrides
        {
            Model = model, DataRoot = dataRoot, Steps = steps > 0 ? steps : null, Device = device,
        });
        return new NotebookRun(options, output);
    }

    /// <summary>Opens the dataset with the preset's split ratios (what training and the reproduce pipeline use).</summary>
    public ImageFolderDataset OpenDataset() => RunFolder.OpenDataset(Options);

    /// <summary>A folder under <see cref="Output"/>.</summary>
    public string Folder(string name) => Path.Combine(Output, name);

    /// <summary>The run folder of notebook 2 for <paramref name="model"/>: <c>OUTPUT/02-training/MODEL</c>.</summary>
    public string TrainingFolder(string? model = null) => Path.Combine(Output, "02-training", model ?? Options.Model);

    /// <summary>
    /// The trained checkpoint of <paramref name="model"/>, preferring the reproduce run of this preset (the network of
    /// Tables 2–4 and report.html, trained or shipped: <see cref="TrainStage.CheckpointOf"/>) over notebook 2's run
    /// (<c>02-training/MODEL</c>); null when neither exists.
    /// </summary>
    public string? TrainedCheckpoint(string model = "meddeblur") =>
        TrainStage.CheckpointOf(RunFolder.At(ReproduceFolder), model) ?? RunFolder.At(TrainingFolder(model)).TrainedCheckpoint();

    /// <summary>
    /// <paramref name="checkpoint"/> when given (it must exist), else <see cref="TrainedCheckpoint"/>, else the kit's
    /// shipped weights of <paramref name="model"/> for this preset (<c>weights/</c>, checked against their SHA-256); throws
    /// naming the places it looked when there is none.
    /// </summary>
    public string CheckpointOrTrained(string checkpoint, string model = "meddeblur")
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Trim().Length > 0)
        {
            string full = Path.GetFullPath(checkpoint.Trim());
            return File.Exists(full) ? full : throw new MedDeblurException($"checkpoint {full} does not exist");
        }
        if (TrainedCheckpoint(model) is { } trained) return trained;
        if (ShippedWeights.Find(model, Options.Name) is { } shipped) return ShippedWeights.Verify(shipped.ManifestPath, shipped.Manifest);
        throw new MedDeblurException(
            $"no trained {model} and no shipped weights of it for the '{Options.Name}' preset: set 'checkpoint' in the parameters cell, or run notebook 3 (it writes " +
            $"{Path.Combine(ReproduceFolder, "runs", model, "checkpoints", "best.ckpt")}) or notebook 2 (it writes " +
            $"{Path.Combine(TrainingFolder(model), "checkpoints", "best.ckpt")}) with the same preset and output first.");
    }

    /// <summary>
    /// Table 4 of this preset for every registered network plus MedDeblur at the paper's widths
    /// (<see cref="ReproducePipeline.ModelAnalysisTable"/>) at one input size, on the preset's device.
    /// </summary>
    public ResultsTable ModelAnalysis(int size, int latencyRuns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 16);
        ArgumentOutOfRangeException.ThrowIfNegative(latencyRuns);
        var options = Options with { Reproduce = Options.Reproduce with { ProfileSizes = [size], LatencyRuns = latencyRuns } };
        return ReproducePipeline.ModelAnalysisTable(options, NetworkRegistry.Names, TorchRuntime.ResolveDevice(Options.Device));
    }

    /// <summary>The ablation variants of the preset: display name, what each adds, parameters at the preset's widths.</summary>
    public ResultsTable AblationVariants()
    {
        var table = new ResultsTable("Ablation variants", ["name", "what it is", "parameters at these widths"]);
        foreach (var name in Options.Reproduce.Ablation)
        {
            using var net = NetworkRegistry.Create(name, Options.Network);
            var info = NetworkRegistry.Describe(name);
            table.Add(info.DisplayName, info.AblationNote ?? info.Description,
                net.ParameterCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        }
        return table;
    }

    /// <summary>
    /// The attention maps of MedDeblur's RD-SAM blocks on the first test image, blurred with its fixed test kernel: the
    /// trained network of <see cref="TrainedCheckpoint"/> when there is one, else an untrained network at the preset's
    /// widths.
    /// </summary>
    public AttentionMapsView AttentionMapsOfTestImage()
    {
        var dataset = OpenDataset();
        var item = dataset.Split(DatasetSplit.Test).FirstOrDefault()
            ?? throw new MedDeblurException($"the dataset {dataset.Root} has no test image");
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var image = ImageIO.Read(item.FullPath);
        var simulator = new MotionBlurSimulator(Options.Blur);
        var kernel = simulator.FixedFor(Options.Evaluation.KernelSeed, item.RelativePath);
        var blurred = simulator.Apply(image.Pixels, kernel);
        string? trained = TrainedCheckpoint();
        using var network = trained is not null ? Checkpoint.LoadNetwork(trained).Network : NetworkRegistry.Create("meddeblur", Options.Network);
        string source = trained is not null
            ? $"trained network from {trained}"
            : "untrained network (run notebook 2 or 3 first for a trained one)";
        var figure = AttentionMapFigure.Build(blurred, AttentionMaps.Capture(network, blurred));
        return new AttentionMapsView($"{item.RelativePath} blurred with {kernel}; {source}", figure);
    }

    /// <summary>
    /// The test images blurred with their fixed test kernels (the inputs of Table 2): the reproduce run's
    /// <c>outputs/Blurry_input</c> folder when it exists, else written now to <c>OUTPUT/06-blurred-test</c>.
    /// </summary>
    public string BlurredTestImages()
    {
        string fromRun = Path.Combine(ReproduceFolder, "outputs", Evaluation.Evaluator.Safe("Blurry input"));
        if (Directory.Exists(fromRun) && Directory.EnumerateFiles(fromRun, "*", SearchOption.AllDirectories).Any()) return fromRun;
        string folder = Folder("06-blurred-test");
        var simulator = new MotionBlurSimulator(Options.Blur);
        foreach (var item in OpenDataset().Split(DatasetSplit.Test))
        {
            string target = Path.Combine(folder, Path.ChangeExtension(item.RelativePath, ".png"));
            if (File.Exists(target)) continue;
            using var scope = TorchSharp.torch.NewDisposeScope();
            using var image = ImageIO.Read(item.FullPath);
            ImageIO.Write(target, simulator.Apply(image.Pixels, simulator.FixedFor(Options.Evaluation.KernelSeed, item.RelativePath)));
        }
        return folder;
    }

    /// <inheritdoc />
    public string ToHtml() => $"<p>{Html.Encode(ToString())}</p>";

    /// <inheritdoc />
    public override string ToString() =>
        $"preset {Options.Name}: {Options.Description} | data {DataRoot} | output {Output}";
}

/// <summary>Attention maps of one image with a line saying which image and which network.</summary>
/// <param name="Source">The image, its kernel and the network the maps come from.</param>
/// <param name="Figure">The blurred input and the maps.</param>
[TypeFormatterSource(typeof(HtmlFormatterSource))]
public sealed record AttentionMapsView(string Source, Figure Figure) : IHtmlDisplayable
{
    /// <inheritdoc />
    public string ToHtml() => $"<p>{Html.Encode(Source)}</p>{Figure.ToHtml()}";

    /// <inheritdoc />
    public override string ToString() => $"{Source}\n{Figure}";
}
