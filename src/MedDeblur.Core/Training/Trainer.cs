using System.Diagnostics;
using MedDeblur.Blur;
using MedDeblur.Configuration;
using MedDeblur.Data;
using MedDeblur.Inference;
using MedDeblur.Networks;
using MedDeblur.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MedDeblur.Training;

/// <summary>Progress of a training run, reported after every step.</summary>
/// <param name="Step">Steps completed.</param>
/// <param name="TotalSteps">Steps of the run.</param>
/// <param name="Loss">Loss of this step.</param>
/// <param name="LearningRate">Learning rate of this step.</param>
/// <param name="ImagesPerSecond">Training throughput averaged since the run (or resume) started.</param>
/// <param name="Elapsed">Time since the run (or resume) started.</param>
/// <param name="Remaining">Estimated time to the last step.</param>
/// <param name="Validation">Validation result if this step validated, else null.</param>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double LearningRate, double ImagesPerSecond,
    TimeSpan Elapsed, TimeSpan Remaining, ValidationResult? Validation)
{
    /// <summary>One line, as the command line's progress bar and the training notebook show it: step, loss, learning rate, speed, time
    /// left, and the validation PSNR/SSIM when the step validated.</summary>
    public string Describe()
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        string line = string.Create(c, $"step {Step}/{TotalSteps} loss {Loss:0.00000} lr {LearningRate:0.0e0} {ImagesPerSecond:0.0} img/s ETA {Durations.Format(Remaining)}");
        return Validation is { Images: > 0 } v ? line + string.Create(c, $" | val PSNR {v.Psnr:0.00} SSIM {v.Ssim:0.000}") : line;
    }
}

/// <summary>How a training run ended.</summary>
/// <param name="RunFolder">The run folder.</param>
/// <param name="Model">Registry name of the network.</param>
/// <param name="Step">Steps completed.</param>
/// <param name="Completed">True when every step of the run is done.</param>
/// <param name="Cancelled">True when the run was cancelled (a checkpoint was saved).</param>
/// <param name="LastCheckpoint">The latest checkpoint.</param>
/// <param name="BestCheckpoint">The checkpoint with the best validation PSNR (null without validation images).</param>
/// <param name="Validations">Every validation of this session.</param>
/// <param name="MillisecondsPerStep">Mean wall time per step in this session.</param>
public sealed record TrainingResult(string RunFolder, string Model, int Step, bool Completed, bool Cancelled, string LastCheckpoint,
    string? BestCheckpoint, IReadOnlyList<ValidationResult> Validations, double MillisecondsPerStep)
{
    /// <summary>Where the weights came from when they were not trained in this run folder (e.g. the kit's shipped
    /// weights: file, steps, CPU time, SHA-256); null when they were trained here.</summary>
    public string? Source { get; init; }

    /// <summary>The training CPU minutes of shipped weights (from their manifest); null when they were trained here.</summary>
    public double? ShippedCpuMinutes { get; init; }
}

/// <summary>The loss or the weights became NaN or infinite; the run stopped and the last good checkpoint is kept.</summary>
public sealed class TrainingDivergedException : MedDeblurException
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(string message, string? lastGoodCheckpoint) : base(message) => LastGoodCheckpoint = lastGoodCheckpoint;

    /// <summary>The latest checkpoint whose weights are finite and gave a finite loss on the next batch, or null.</summary>
    public string? LastGoodCheckpoint { get; }
}

/// <summary>
/// Trains one network with one run's options (the paper's training, or any preset): batches blurred on the fly
/// (<see cref="TrainingBatches"/>), Adam, the configured loss and schedule, periodic fixed-kernel validation, atomic
/// checkpoints (last K + best), a JSONL log, exact resume, NaN/∞ detection and cancellation with a final checkpoint. Every
/// step runs inside a dispose scope, so memory stays flat over any number of steps.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly RunOptions options;
    private readonly RunFolder folder;
    private readonly DeblurNetwork network;
    private readonly Adam optimizer;
    private readonly Device device;
    private readonly MotionBlurSimulator simulator;
    private readonly TrainingBatches batches;
    private readonly Validation validation;
    private readonly Deblurrer deblurrer;
    private readonly DeblurLoss loss;
    private readonly List<string> notes = [];
    private double? bestPsnr;
    private int step;
    private double cpuSecondsBefore;

    private Trainer(RunOptions options, RunFolder folder, string? resumeFrom, string? initialWeights = null)
    {
        this.options = options.Validate();
        this.folder = folder;
        device = TorchRuntime.ResolveDevice(options.Device);
        var dataset = RunFolder.OpenDataset(options);
        simulator = new MotionBlurSimulator(options.Blur);
        network = NetworkRegistry.Create(options.Model, options.Network, options.Training.Seed);
        network.to(device);
        loss = new DeblurLoss(options.Training.Loss, options.Training.MultiScaleLoss);
        var t = options.Training;
        optimizer = optim.Adam(network.parameters(), t.LearningRate, t.Beta1, t.Beta2);
        batches = new TrainingBatches(dataset.Split(DatasetSplit.Train), simulator, options.Data, network.Scales, t.Seed);
        validation = new Validation(dataset.Split(DatasetSplit.Validation), simulator, options.Evaluation.KernelSeed, options.MetricsConventions(), options.Evaluation.MaxImageSize);
        deblurrer = new Deblurrer(network, device, new TileOptions { TileSize = options.Evaluation.TileSize, Overlap = options.Evaluation.TileOverlap });
        if (resumeFrom is not null)
        {
            var header = Checkpoint.Load(resumeFrom, network, optimizer);
            step = header.Step;
            bestPsnr = header.BestValidationPsnr;
        }
        else if (initialWeights is not null)
        {
            StartFrom(initialWeights);
        }
    }

    /// <summary>Copies the weights of <paramref name="path"/> (a kit checkpoint, shipped weights or a PyTorch state dict)
    /// into the network; the optimizer and the schedule start afresh. The file must hold this run's network.</summary>
    private void StartFrom(string path)
    {
        var (source, header) = Checkpoint.LoadNetwork(path);
        using (source)
        {
            if (header.Model != options.Model)
                throw new MedDeblurException($"{Path.GetFullPath(path)} holds a {header.Model} network; this run trains {options.Model}");
            var mine = network.state_dict();
            var theirs = source.state_dict();
            var differing = mine.Where(p => !theirs.TryGetValue(p.Key, out var t) || !t.shape.SequenceEqual(p.Value.shape)).Select(p => p.Key)
                .Concat(theirs.Keys.Where(k => !mine.ContainsKey(k))).ToArray();
            if (differing.Length > 0)
                throw new MedDeblurException($"{Path.GetFullPath(path)} holds {header.Model} with other network options than this run's preset " +
                                             $"({differing.Length} tensors differ, e.g. {differing[0]}): fine-tuning needs the same widths and blocks");
            using (torch.no_grad())
                foreach (var (name, tensor) in mine) tensor.copy_(theirs[name]);
        }
        notes.Add($"started from the weights of {Path.GetFullPath(path)} ({header.Model}, step {header.Step})");
    }

    /// <summary>Starts a new run in <paramref name="runFolder"/>. A folder whose run has a checkpoint is refused (resume
    /// it instead); a run that stopped before its first checkpoint is replaced (options written atomically).</summary>
    /// <param name="options">The run's options.</param>
    /// <param name="runFolder">The run folder.</param>
    /// <param name="initialWeights">Fine-tuning: start from the weights of this checkpoint, shipped weights file or PyTorch
    /// state dict (same network as <paramref name="options"/>) instead of a fresh initialisation; recorded with its
    /// SHA-256 in <see cref="RunFolder.InitialWeightsPath"/>.</param>
    public static Trainer Start(RunOptions options, string runFolder, string? initialWeights = null)
    {
        bool existed = Directory.Exists(runFolder);
        var folder = new RunFolder(runFolder);
        if (folder.LatestCheckpoint() is { } latest) throw new RunFolderException(folder.Root, RunFolderProblem.HoldsCheckpointedRun, latest);
        Trainer trainer;
        try
        {
            // opens the dataset and the initial weights first, so a bad data root or weights file leaves no half-made run folder
            trainer = new Trainer(options, folder, null, initialWeights);
        }
        catch
        {
            if (!existed) DeleteIfEmpty(folder.Root);
            throw;
        }
        AtomicFile.WriteAllText(folder.OptionsPath, options.ToJson());
        folder.WriteEnvironment(options.Device);
        if (initialWeights is not null)
        {
            using var stream = File.OpenRead(initialWeights);
            var record = new System.Text.Json.Nodes.JsonObject
            {
                ["path"] = Path.GetFullPath(initialWeights),
                ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream)),
            };
            AtomicFile.WriteAllText(folder.InitialWeightsPath, record.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }
        else if (File.Exists(folder.InitialWeightsPath)) File.Delete(folder.InitialWeightsPath); // from a replaced run that never checkpointed
        return trainer;
    }

    /// <summary>
    /// Resumes the run in <paramref name="runFolder"/> from its newest intact checkpoint: a damaged one (its checksum does
    /// not match, or it was cut) is renamed to <c>*.ckpt.damaged</c> and the one before it is taken; what happened is in
    /// <see cref="Notes"/>.
    /// </summary>
    public static Trainer Resume(string runFolder)
    {
        if (!Directory.Exists(runFolder)) throw new MedDeblurException($"{Path.GetFullPath(runFolder)} does not exist: there is no run to resume");
        var folder = new RunFolder(runFolder);
        var options = folder.StoredOptions() ?? throw new MedDeblurException($"{folder.Root} holds no run to resume (no options.json)");
        if (folder.LatestCheckpoint() is null) throw new RunFolderException(folder.Root, RunFolderProblem.NoCheckpointToResume);
        var notes = new List<string>();
        string? chosen = null;
        foreach (var candidate in folder.StepCheckpoints().Reverse())
        {
            try
            {
                if (Checkpoint.Verify(candidate) == FileIntegrity.NoChecksum)
                    notes.Add($"{Path.GetFileName(candidate)} has no checksum (written by an older version): loaded without an integrity check");
                chosen = candidate;
                break;
            }
            catch (CheckpointException e)
            {
                File.Move(candidate, candidate + ".damaged", overwrite: true);
                notes.Add($"{Path.GetFileName(candidate)} is damaged ({e.Reason}): renamed to {Path.GetFileName(candidate)}.damaged; resuming from the newest intact checkpoint before it");
            }
        }
        if (chosen is null)
            throw new MedDeblurException($"{folder.Root}: every checkpoint is damaged ({string.Join("; ", notes)}); start the run afresh");
        if (notes.Count > 0 && notes[^1].Contains("damaged", StringComparison.Ordinal)) notes.Add($"resuming from {Path.GetFileName(chosen)}");
        var trainer = new Trainer(options, folder, chosen);
        trainer.notes.AddRange(notes);
        return trainer;
    }

    /// <summary>What happened when the trainer was created (e.g. a damaged checkpoint passed over on resume), for the user.</summary>
    public IReadOnlyList<string> Notes => notes;

    private static void DeleteIfEmpty(string folder)
    {
        try
        {
            foreach (var sub in Directory.GetDirectories(folder)) DeleteIfEmpty(sub);
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
        }
        catch (IOException) { /* left as it is */ }
    }

    /// <summary>Resumes the run in <paramref name="runFolder"/> if it has a checkpoint, else starts it afresh there (what
    /// <c>reproduce</c> and the notebooks do, so running twice continues instead of failing). A checkpointed run whose
    /// stored options differ from <paramref name="options"/> is refused (see <see cref="RunFolder.RefuseOtherOptions"/>).</summary>
    public static Trainer StartOrResume(RunOptions options, string runFolder)
    {
        var folder = new RunFolder(runFolder);
        if (folder.LatestCheckpoint() is null) return Start(options, runFolder);
        folder.RefuseOtherOptions(options);
        return Resume(runFolder);
    }

    /// <summary>The network being trained.</summary>
    public DeblurNetwork Network => network;

    /// <summary>The run's options.</summary>
    public RunOptions Options => options;

    /// <summary>Steps completed so far.</summary>
    public int Step => step;

    /// <summary>The run folder.</summary>
    public RunFolder Folder => folder;

    /// <summary>
    /// Trains until the run's last step, or until <paramref name="stopAtStep"/> (a checkpoint is written there), or until
    /// <paramref name="cancellation"/> fires (a checkpoint is written and the run can be resumed).
    /// </summary>
    public TrainingResult Run(CancellationToken cancellation = default, IProgress<TrainingProgress>? progress = null, int? stopAtStep = null)
    {
        TorchRuntime.RequireCorrectNumerics();
        var t = options.Training;
        int last = Math.Min(t.Steps, stopAtStep ?? t.Steps);
        var validations = new List<ValidationResult>();
        JsonlLog.TruncateAfter(folder.LogPath, step); // steps logged after the checkpoint we resumed from are trained again
        double loggedCpu = File.Exists(folder.LogPath)
            ? JsonlLog.Read(folder.LogPath).Select(r => (double?)r["cpuSeconds"]).LastOrDefault(c => c is not null) ?? 0 : 0;
        cpuSecondsBefore = loggedCpu - System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        using var log = new JsonlLog(folder.LogPath);
        var clock = Stopwatch.StartNew();
        var trainClock = new Stopwatch(); // train steps only: images/s and ETA leave out validation and checkpoints
        int startStep = step;
        double lossSum = 0;
        int lossCount = 0;
        string lastCheckpoint = folder.LatestCheckpoint() ?? "";
        bool cancelled = false;
        network.train();

        while (step < last)
        {
            if (cancellation.IsCancellationRequested) { cancelled = true; break; }
            double lr = LearningRate(step);
            trainClock.Start();
            double loss = TrainStep(step, lr);
            trainClock.Stop();
            if (!double.IsFinite(loss)) throw Diverged(log, $"the loss became {loss} at step {step + 1}");
            step++;
            lossSum += loss;
            lossCount++;
            double seconds = clock.Elapsed.TotalSeconds, trainSeconds = trainClock.Elapsed.TotalSeconds;
            double imagesPerSecond = (step - startStep) * t.BatchSize / Math.Max(trainSeconds, 1e-9);
            var remaining = TimeSpan.FromSeconds(trainSeconds / (step - startStep) * (last - step));

            if (step % t.LogEvery == 0 || step == last)
            {
                log.Write(new { step, kind = "train", loss = lossSum / lossCount, lr, imagesPerSecond, elapsedSeconds = seconds, cpuSeconds = CpuSeconds(), rssMiB = ProcessMemory.ResidentMiB() });
                lossSum = 0;
                lossCount = 0;
            }
            ValidationResult? validated = null;
            if ((t.ValidateEvery > 0 && step % t.ValidateEvery == 0) || step == t.Steps)
            {
                validated = validation.Run(deblurrer, step);
                network.train();
                if (validated.Images > 0)
                {
                    validations.Add(validated);
                    log.Write(new { step, kind = "validation", psnr = validated.Psnr, ssim = validated.Ssim, deltaE = validated.DeltaE, images = validated.Images, blurryPsnr = validated.BlurryPsnr, gain = validated.Gain, cpuSeconds = CpuSeconds() });
                }
            }
            if (step % t.CheckpointEvery == 0 || step == last || validated is { Images: > 0 })
                lastCheckpoint = SaveCheckpoint(log, validated);
            progress?.Report(new TrainingProgress(step, t.Steps, loss, lr, imagesPerSecond, clock.Elapsed, remaining, validated));
        }
        if (cancelled) lastCheckpoint = SaveCheckpoint(log, null);
        return new TrainingResult(folder.Root, options.Model, step, step >= t.Steps, cancelled, lastCheckpoint,
            File.Exists(folder.BestCheckpointPath) ? folder.BestCheckpointPath : null, validations, clock.Elapsed.TotalMilliseconds / Math.Max(1, step - startStep));
    }

    /// <summary>The learning rate of step <paramref name="s"/> (0-based): a pure function of the step, so resume needs no
    /// scheduler state.</summary>
    public double LearningRate(int s)
    {
        var t = options.Training;
        return t.Schedule == ScheduleKind.Constant
            ? t.LearningRate
            : t.MinLearningRate + 0.5 * (t.LearningRate - t.MinLearningRate) * (1 + Math.Cos(Math.PI * s / t.Steps));
    }

    private double TrainStep(int s, double lr)
    {
        using var scope = NewDisposeScope();
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
        var batch = batches.Make(s, options.Training.BatchSize);
        var pyramid = batch.Pyramid.Select(p => p.to(device)).ToArray();
        var target = batch.Target.to(device);
        optimizer.zero_grad();
        var outputs = network.Scales > 1 ? network.ForwardScales(pyramid) : network.ForwardScales(pyramid[0]);
        var value = loss.Compute(outputs, target);
        value.backward();
        if (options.Training.GradientClipNorm is double clip) nn.utils.clip_grad_norm_(network.parameters(), clip);
        optimizer.step();
        return value.item<float>();
    }

    /// <summary>
    /// The run diverged with the weights after the current number of updates (their loss, or the weights themselves, are not
    /// finite). The checkpoint of step k holds the weights whose loss is only known at step k + 1, so the last good one is
    /// the latest checkpoint before the current step: its weights were checked finite and gave a finite loss.
    /// </summary>
    private TrainingDivergedException Diverged(JsonlLog log, string what)
    {
        log.Write(new { step, kind = "diverged", reason = what });
        string? good = folder.StepCheckpoints().LastOrDefault(p => RunFolder.CheckpointStep(p) < step);
        // A NaN within the first steps is rarely the learning rate: point to the numerics of this CPU first.
        string advice = step <= 10
            ? $"A NaN in the first steps usually means wrong numerics, not a too-high learning rate: this CPU's convolution " +
              $"self-check says {ConvolutionSelfCheck.Result?.ToString() ?? "nothing (not run)"} (environment/README.md, " +
              "\"Convolution self-check\"); if it looks right, try a lower learning rate or gradient clipping."
            : "Try a lower learning rate or gradient clipping.";
        return new TrainingDivergedException(
            $"{options.Model}: {what}; training stopped. The last good checkpoint is " +
            $"{good ?? "none (no good checkpoint was written yet)"}. {advice}", good);
    }

    /// <summary>CPU time spent training since the run started (all threads, seconds, validation included, start-up not): the
    /// x axis of the learning curves, fair between runs that shared the machine. A resumed run continues from the CPU time
    /// logged before the resume.</summary>
    private double CpuSeconds() => cpuSecondsBefore + System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>True when every parameter is finite (one fused reduction, one host synchronisation).</summary>
    private bool WeightsFinite()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return stack(network.parameters().Select(p => p.isfinite().all()).ToArray()).all().item<bool>();
    }

    private string SaveCheckpoint(JsonlLog log, ValidationResult? validated)
    {
        if (!WeightsFinite()) throw Diverged(log, $"the weights became NaN or infinite at step {step}");
        bool improved = validated is { Images: > 0 } && (bestPsnr is null || validated.Psnr > bestPsnr);
        if (improved) bestPsnr = validated!.Psnr;
        var header = new CheckpointHeader
        {
            Model = options.Model,
            Step = step,
            Options = options.ToJsonObject(),
            ValidationPsnr = validated?.Images > 0 ? validated.Psnr : null,
            BestValidationPsnr = bestPsnr,
            RngStates = new() { ["seed"] = options.Training.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), ["scheme"] = "per-step SHA-256(seed/step/stream)" },
        };
        string path = folder.CheckpointPath(step);
        Checkpoint.Save(path, header, network, optimizer);
        if (improved) AtomicFile.Write(folder.BestCheckpointPath, target => { using var source = File.OpenRead(path); source.CopyTo(target); });
        folder.Prune(options.Training.KeepLast);
        return path;
    }

    /// <summary>The most recent step checkpoint of a run folder, or null (<see cref="RunFolder.LatestCheckpoint"/>).</summary>
    public static string? LatestCheckpoint(RunFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return folder.LatestCheckpoint();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        validation.Dispose();
        batches.Dispose();
        optimizer.Dispose();
        network.Dispose();
    }
}
