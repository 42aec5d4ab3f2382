using System.Text.Json.Nodes;
using MedDeblur.Imaging;
using MedDeblur.Notebooks;
using MedDeblur.Tests.Cli;
using MedDeblur.Tests.Training;
using MedDeblur.Training;
using MedDeblur.Weights;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Weights;

/// <summary>One 4-step smoke run validated at steps 2 and 4, trained once for the class.</summary>
public sealed class ExportedRunFixture : IDisposable
{
    public string Folder { get; } = Fixture.TempFolder();

    public string Run => Path.Combine(Folder, "run");

    public ExportedRunFixture()
    {
        using var trainer = Trainer.Start(TrainingFixture.Smoke(steps: 4, validateEvery: 2), Run);
        trainer.Run();
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public sealed class ShippedWeightsTests(ExportedRunFixture shared) : TempFolderTest, IClassFixture<ExportedRunFixture>
{
    /// <summary>The shared run exported to a weights folder of this test's own.</summary>
    private (string Run, string Weights, string ManifestPath, WeightsManifest Manifest) TrainAndExport()
    {
        string weights = Path.Combine(Temp, "weights");
        var (manifestPath, manifest) = ShippedWeights.Export(shared.Run, weights);
        return (shared.Run, weights, manifestPath, manifest);
    }

    [Fact]
    public void The_validation_log_records_the_gain_over_the_blurry_input_and_growing_CPU_time()
    {
        var (run, _, _, _) = TrainAndExport();
        var validations = JsonlLog.Read(Path.Combine(run, "log.jsonl")).Where(r => (string?)r["kind"] == "validation").ToArray();
        Assert.Equal([2, 4], validations.Select(r => (int)r["step"]!));
        foreach (var v in validations)
            Assert.Equal((double)v["psnr"]! - (double)v["blurryPsnr"]!, (double)v["gain"]!, 9);
        double blurry = (double)validations[0]["blurryPsnr"]!;
        Assert.InRange(blurry, 5, 60); // the blurred validation images scored against their sharp originals
        Assert.True((double)validations[1]["cpuSeconds"]! > (double)validations[0]["cpuSeconds"]! && (double)validations[0]["cpuSeconds"]! > 0);
    }

    [Fact]
    public void An_exported_entry_describes_its_file_and_loads_the_runs_best_weights()
    {
        var (run, weights, manifestPath, m) = TrainAndExport();
        string file = Path.Combine(weights, "meddeblur-smoke.ckpt");
        Assert.Equal(Path.Combine(weights, "meddeblur-smoke.json"), manifestPath);
        Assert.Equal(("meddeblur", "smoke", "meddeblur-smoke.ckpt"), (m.Network, m.Preset, m.File));
        Assert.Equal(ShippedWeights.Sha256(file), m.Sha256);
        Assert.Equal(new FileInfo(file).Length, m.Bytes);
        Assert.Equal(4, m.TrainedSteps);
        Assert.Equal([2, 4], m.Validation.Select(v => v.Step));
        var best = Checkpoint.ReadHeader(Path.Combine(run, "checkpoints", "best.ckpt"));
        Assert.Equal(best.Step, m.Step);
        Assert.Equal(m.Validation.Single(v => v.Step == m.Step).Gain, m.ValidationGain);
        Assert.Contains("splits.csv SHA-256", m.Data, StringComparison.Ordinal);
        Assert.True(m.CpuMinutes > 0);
        Assert.True(new FileInfo(file).Length < new FileInfo(Path.Combine(run, "checkpoints", "best.ckpt")).Length, "no optimizer state");

        using var scope = NewDisposeScope();
        using var image = ImageIO.Read(Fixture.Sample("mri/itk_t1_cor_z25.png"));
        var input = ImageIO.ToRgb(image.Pixels).unsqueeze(0);
        var (shipped, _, _) = ShippedWeights.Load("meddeblur", "smoke", weights);
        var (original, _) = Checkpoint.LoadNetwork(Path.Combine(run, "checkpoints", "best.ckpt"));
        using (shipped)
        using (original)
        using (no_grad())
        {
            shipped.eval();
            original.eval();
            Assert.True(shipped.call(input).equal(original.call(input)).all().item<bool>());
        }
    }

    [Fact]
    public void A_fine_tuned_run_ships_as_its_base_preset_and_records_the_weights_it_started_from()
    {
        var (_, weights, _, first) = TrainAndExport();
        string start = Path.Combine(weights, first.File);
        var recipe = TrainingFixture.Smoke(steps: 2, validateEvery: 2, learningRate: 1e-4) with { Name = "smoke-continued" };
        string tuned = Path.Combine(Temp, "tuned");
        using (var trainer = Trainer.Start(recipe, tuned, start)) trainer.Run();

        var (manifestPath, m) = ShippedWeights.Export(tuned, weights, preset: "smoke");
        Assert.Equal(Path.Combine(weights, "meddeblur-smoke.json"), manifestPath); // replaces the entry it started from
        Assert.Equal(("smoke", "meddeblur-smoke.ckpt"), (m.Preset, m.File));
        Assert.Equal(new InitialWeights("meddeblur-smoke.ckpt", first.Sha256, first.CpuMinutes, first.Step), m.FineTunedFrom);
        double own = (double)JsonlLog.Read(Path.Combine(tuned, "log.jsonl")).Last(r => r["cpuSeconds"] is not null)["cpuSeconds"]! / 60;
        Assert.Equal(first.CpuMinutes + own, m.CpuMinutes, tolerance: 0.0006); // the manifest rounds to 0.001 min
        Assert.Null(first.FineTunedFrom);

        var e = Assert.Throws<MedDeblurException>(() => ShippedWeights.Export(tuned, weights, preset: "quick"));
        Assert.Equal($"{Path.GetFullPath(tuned)} trained with other network options than the 'quick' preset: it cannot be shipped as quick", e.Message);

        string record = Path.Combine(tuned, "initial-weights.json");
        File.WriteAllText(record, "{ cut");
        var damaged = Assert.Throws<MedDeblurException>(() => ShippedWeights.Export(tuned, weights, preset: "smoke"));
        Assert.StartsWith($"{record} is not valid JSON", damaged.Message);
    }

    [Fact]
    public void The_repositorys_shipped_weights_match_their_manifests()
    {
        var entries = ShippedWeights.List(Path.Combine(Fixture.RepositoryRoot(), "weights"));
        Assert.Contains(entries, e => e.Manifest is { Network: "meddeblur", Preset: "quick" }); // what deblur and reproduce take by default
        foreach (var (manifestPath, manifest) in entries)
        {
            var header = Checkpoint.ReadHeader(ShippedWeights.Verify(manifestPath, manifest)); // a Git LFS pointer or a damaged file fails here
            Assert.Equal((manifest.Network, manifest.Step), (header.Model, header.Step));
        }
    }

    [Fact]
    public void A_changed_byte_or_a_missing_entry_is_named()
    {
        var (_, weights, _, m) = TrainAndExport();
        string file = Path.Combine(weights, m.File);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(file, bytes);
        var e = Assert.Throws<WeightsIntegrityException>(() => ShippedWeights.Load("meddeblur", "smoke", weights));
        Assert.Equal(file, e.Path);
        Assert.Equal(m.Sha256, e.Expected);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<MedDeblurException>(() => ShippedWeights.Load("srn", "quick", weights));
        Assert.Contains("no shipped weights of 'srn' (quick preset)", missing.Message, StringComparison.Ordinal);
        Assert.Contains("shipped: meddeblur (smoke)", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_weights_verb_verifies_and_deblur_uses_the_shipped_weights_without_a_checkpoint()
    {
        var (_, weights, manifestPath, _) = TrainAndExport();
        var (exit, output, _) = CliHarness.Run("weights", "--folder", weights);
        Assert.Equal(0, exit);
        Assert.Contains("meddeblur-smoke.ckpt: meddeblur, smoke preset", output, StringComparison.Ordinal);
        Assert.Contains("SHA-256 ok", output, StringComparison.Ordinal);

        // deblur's default is the quick preset's entry: rename this one so that it stands in for it
        var node = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        node["preset"] = "quick";
        File.WriteAllText(manifestPath, node.ToJsonString());
        string input = Path.Combine(Temp, "in");
        Directory.CreateDirectory(input);
        File.Copy(Fixture.Sample("mri/itk_t1_cor_z25.png"), Path.Combine(input, "a.png"));
        Environment.SetEnvironmentVariable(ShippedWeights.EnvironmentVariable, weights);
        try
        {
            (exit, output, var err) = CliHarness.Run("deblur", "--input", input, "--output", Path.Combine(Temp, "out"));
            Assert.True(exit == 0, err);
            Assert.Contains("the shipped weights meddeblur-smoke.ckpt", err, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(Temp, "out", "a.png")));
            // notebook 06 without a checkpoint and without a trained run takes the same entry
            var notebook = NotebookRun.Load("quick", "", Path.Combine(Temp, "notebooks"));
            Assert.Equal(Path.Combine(weights, "meddeblur-smoke.ckpt"), notebook.CheckpointOrTrained(""));
            Assert.Contains("no shipped weights of it for the 'quick' preset", Assert.Throws<MedDeblurException>(() => notebook.CheckpointOrTrained("", "srn")).Message,
                StringComparison.Ordinal);

            var bytes = File.ReadAllBytes(Path.Combine(weights, "meddeblur-smoke.ckpt"));
            bytes[100] ^= 1;
            File.WriteAllBytes(Path.Combine(weights, "meddeblur-smoke.ckpt"), bytes);
            (exit, _, err) = CliHarness.Run("deblur", "--input", input, "--output", Path.Combine(Temp, "out2"));
            Assert.Equal(1, exit);
            Assert.Contains("meddeblur-smoke.ckpt: the weights file is damaged", err, StringComparison.Ordinal);
            (exit, output, _) = CliHarness.Run("weights", "--folder", weights);
            Assert.Equal(1, exit);
            Assert.Contains("DAMAGED", output, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ShippedWeights.EnvironmentVariable, null);
        }
    }
}
