using System.Text.Json;

namespace MedDeblur.Weights;

/// <summary>One validation of the training run that made a shipped weights file (its learning curve).</summary>
/// <param name="Step">Training step.</param>
/// <param name="CpuMinutes">Training CPU time so far (minutes, all threads).</param>
/// <param name="Psnr">Mean validation PSNR (dB).</param>
/// <param name="Gain">Mean validation PSNR gain over the blurry input (dB).</param>
public sealed record ValidationPoint(int Step, double CpuMinutes, double Psnr, double Gain);

/// <summary>The weights a shipped run was fine-tuned from (its initial weights).</summary>
/// <param name="File">The file's name.</param>
/// <param name="Sha256">Its SHA-256.</param>
/// <param name="CpuMinutes">Its own training CPU time when it was a shipped entry with a manifest (included in the
/// manifest's <see cref="WeightsManifest.CpuMinutes"/>).</param>
/// <param name="Step">Its training step, when known.</param>
public sealed record InitialWeights(string File, string Sha256, double? CpuMinutes, int? Step);

/// <summary>
/// What a shipped weights file is (<c>weights/NAME.json</c> beside <c>weights/NAME.ckpt</c>): the network and preset it
/// was trained as, on which data, for how long, on which machine and commit, its validation curve, and the SHA-256 of the
/// file that loading checks.
/// </summary>
public sealed record WeightsManifest
{
    /// <summary>Registry name of the network (e.g. <c>meddeblur</c>).</summary>
    public required string Network { get; init; }

    /// <summary>Preset the network was trained with (its widths and recipe).</summary>
    public required string Preset { get; init; }

    /// <summary>File name of the weights (a network-only checkpoint), relative to the manifest's folder.</summary>
    public required string File { get; init; }

    /// <summary>SHA-256 of the whole weights file, lower-case hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Size of the weights file in bytes.</summary>
    public required long Bytes { get; init; }

    /// <summary>Training steps of the checkpoint that was shipped (the best validation).</summary>
    public required int Step { get; init; }

    /// <summary>Steps the run trained in total.</summary>
    public required int TrainedSteps { get; init; }

    /// <summary>Training CPU time of the whole run (minutes, all threads), plus that of the weights it was fine-tuned
    /// from (<see cref="FineTunedFrom"/>) when their manifest records it.</summary>
    public required double CpuMinutes { get; init; }

    /// <summary>The weights the run started from (fine-tuning); null for a run from a fresh network.</summary>
    public InitialWeights? FineTunedFrom { get; init; }

    /// <summary>The training data: dataset folder name and the split file's SHA-256 when it has one.</summary>
    public required string Data { get; init; }

    /// <summary>CPU and backend the run trained on.</summary>
    public string? TrainedOn { get; init; }

    /// <summary>Git commit the kit was built from when the run started.</summary>
    public string? Commit { get; init; }

    /// <summary>The command that started the run.</summary>
    public string? Command { get; init; }

    /// <summary>The training run's <c>log.jsonl</c>, relative to the manifest's folder, when the run folder lies inside it
    /// (<c>weights/training/NAME</c>); <c>reproduce</c> draws Figure 9 from it.</summary>
    public string? TrainingLog { get; init; }

    /// <summary>Validation PSNR gain over the blurry input of the shipped checkpoint (dB).</summary>
    public double? ValidationGain { get; init; }

    /// <summary>The run's validation curve.</summary>
    public IReadOnlyList<ValidationPoint> Validation { get; init; } = [];

    /// <summary>When the weights were exported (UTC).</summary>
    public DateTime ExportedUtc { get; init; } = DateTime.UtcNow;

    /// <summary>Reads a manifest, naming the file when it is not one.</summary>
    public static WeightsManifest Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<WeightsManifest>(System.IO.File.ReadAllText(path), JsonDefaults.Options)
                ?? throw new MedDeblurException($"{path}: the weights manifest is empty");
        }
        catch (JsonException e)
        {
            throw new MedDeblurException($"{path}: not a weights manifest ({e.Message})", e);
        }
    }
}
