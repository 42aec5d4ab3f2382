using System.Globalization;
using MedDeblur.Configuration;
using MedDeblur.Reproduction;
using MedDeblur.Training;
using MedDeblur.Weights;

namespace MedDeblur.Tests.Reproduction;

/// <summary>The train stage takes shipped weights when they fit the run (<see cref="TrainStage.Shipped"/>): MedDeblur of the
/// session's smoke run is shipped into a weights folder of the test's own, as <c>weights/train.sh</c> does.</summary>
[Collection(SmokeReproduceCollection.Name)]
public sealed class ShippedWeightsStageTests(SmokeReproduceRun smoke) : TempFolderTest
{
    private string Weights => Path.Combine(Temp, "weights");

    /// <summary>Copies the smoke run's folder of <paramref name="model"/> to <c>weights/training/MODEL-smoke</c> and exports it.</summary>
    private WeightsManifest Ship(string model = "meddeblur")
    {
        string training = Path.Combine(Weights, "training", model + "-smoke");
        string source = Path.Combine(smoke.Folder, "runs", model);
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(training, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return ShippedWeights.Export(training, Weights).Manifest;
    }

    private StageContext Context(RunOptions options, Action<ReproduceProgress>? progress = null) =>
        new(options, new RunFolder(Path.Combine(Temp, "run")), progress, CancellationToken.None) { WeightsFolder = Weights };

    private RunOptions Networks(params string[] models) => smoke.Options with
    {
        Reproduce = smoke.Options.Reproduce with { Comparison = models, Ablation = [models[0]] },
        Evaluation = smoke.Options.Evaluation with { Oracles = false },
    };

    [Fact]
    public void A_shipped_network_is_taken_with_its_training_log_and_the_others_are_trained()
    {
        var manifest = Ship();
        Assert.Equal("training/meddeblur-smoke/log.jsonl", manifest.TrainingLog);
        var progress = new List<ReproduceProgress>();
        var context = Context(Networks("meddeblur", "dncnn"), progress.Add);
        Assert.Equal(["meddeblur"], TrainStage.Shipped(context).Keys);

        var trainings = TrainStage.Run(context);

        var shipped = trainings.Single(t => t.Model == "meddeblur");
        Assert.StartsWith("shipped weights meddeblur-smoke.ckpt: step ", shipped.Source, StringComparison.Ordinal);
        Assert.Equal(manifest.Step, shipped.Step);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Weights, "meddeblur-smoke.ckpt")), File.ReadAllBytes(TrainStage.Checkpoint(shipped)));
        Assert.Equal(File.ReadAllText(Path.Combine(Weights, manifest.TrainingLog!)), File.ReadAllText(Path.Combine(shipped.RunFolder, "log.jsonl")));
        Assert.Contains(progress, p => p.Stage == "train meddeblur" && p.Detail == shipped.Source);
        Assert.Equal(Path.Combine(Temp, "run", "shipped", "meddeblur"), shipped.RunFolder);
        Assert.Equal(TrainStage.Checkpoint(shipped), TrainStage.CheckpointOf(context.Folder, "meddeblur")); // what notebooks and downstream take
        var trained = trainings.Single(t => t.Model == "dncnn");
        Assert.Null(trained.Source);
        Assert.Equal(smoke.Options.Training.Steps, trained.Step);
        Assert.Equal(TrainStage.Checkpoint(trained), TrainStage.CheckpointOf(context.Folder, "dncnn"));

        // Table 2 says that its rows do not share a budget; Table 3 (MedDeblur alone) has nothing to say
        var evaluation = EvaluateStage.Run(context, trainings);
        Assert.Contains(evaluation.Comparison.Notes, n => n.StartsWith($"Unequal training: MedDeblur from the kit's shipped weights (step {manifest.Step}), ZhaoNet (DnCNN) trained in this run", StringComparison.Ordinal));
        Assert.DoesNotContain(evaluation.Ablation.Notes, n => n.StartsWith("Unequal training", StringComparison.Ordinal));

        // the stage record names the shipped file: another file behind the same manifest name is another input
        var record = StageRecords.Read(context.Folder, TrainStage.Name)!;
        Assert.Equal(TrainStage.Hash(context), record.OptionsHash);
        Assert.NotEqual(StageRecords.Hash(context.Options, TrainStage.Sections), record.OptionsHash);
    }

    [Fact]
    public void When_every_row_is_shipped_the_table_gives_each_networks_own_budget()
    {
        var meddeblur = Ship();
        var dncnn = Ship("dncnn");
        var context = Context(Networks("meddeblur", "dncnn"));
        var trainings = TrainStage.Run(context);
        Assert.All(trainings, t => Assert.NotNull(t.Source));
        Assert.Equal(dncnn.CpuMinutes, trainings.Single(t => t.Model == "dncnn").ShippedCpuMinutes);

        var notes = EvaluateStage.Run(context, trainings).Comparison.Notes;
        Assert.Contains(notes, n => n.StartsWith(string.Create(CultureInfo.InvariantCulture,
            $"Own budgets: every row from the kit's shipped weights, each network trained with its own budget (MedDeblur step {meddeblur.Step}, {meddeblur.CpuMinutes:0} CPU min; ZhaoNet (DnCNN) step {dncnn.Step}, {dncnn.CpuMinutes:0} CPU min;"), StringComparison.Ordinal));
        Assert.DoesNotContain(notes, n => n.StartsWith("Unequal training", StringComparison.Ordinal));
    }

    [Fact]
    public void Shipped_weights_are_not_used_for_other_options_other_data_or_when_switched_off()
    {
        Ship();
        var options = Networks("meddeblur");
        Assert.Single(TrainStage.Shipped(Context(options)));
        Assert.Empty(TrainStage.Shipped(Context(options with { Network = options.Network with { Widths = [4, 8, 16] } })));
        Assert.Empty(TrainStage.Shipped(Context(options with { Blur = options.Blur with { MaxLength = options.Blur.MaxLength + 2 } })));
        Assert.Empty(TrainStage.Shipped(Context(options with { Data = options.Data with { Root = Path.Combine(Fixture.RepositoryRoot(), "data", "samples") } })));
        Assert.Empty(TrainStage.Shipped(Context(options with { Name = "quick" })));
        var off = options with { Reproduce = options.Reproduce with { UseShippedWeights = false } };
        Assert.Equal(StageRecords.Hash(off, TrainStage.Sections), TrainStage.Hash(Context(off)));
    }

    [Fact]
    public void A_damaged_shipped_file_stops_the_stage_and_is_named()
    {
        var manifest = Ship();
        string file = Path.Combine(Weights, manifest.File);
        var bytes = File.ReadAllBytes(file);
        bytes[^100] ^= 0x20;
        File.WriteAllBytes(file, bytes);
        var e = Assert.Throws<WeightsIntegrityException>(() => TrainStage.Run(Context(Networks("meddeblur"))));
        Assert.Equal(file, e.Path);
        Assert.False(Directory.Exists(Path.Combine(Temp, "run", "shipped", "meddeblur")));
    }
}
