using System.Text.Json;
using MedDeblur.Configuration;
using MedDeblur.Networks;
using MedDeblur.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Training;

public sealed class TrainerTests : TempFolderTest
{
    private string Folder(string name) => Path.Combine(Temp, name);

    [Fact]
    public void Live_tensor_count_stays_flat_over_many_steps()
    {
        // the image cache fills up as new images are drawn: switch it off so only per-step tensors could accumulate
        var options = TrainingFixture.Smoke(steps: 24);
        using var trainer = Trainer.Start(options with { Data = options.Data with { CacheImages = false } }, Folder("leak"));
        var live = new Dictionary<int, long>();
        trainer.Run(progress: new SynchronousProgress<TrainingProgress>(p => live[p.Step] = DisposeScopeManager.Statistics.ThreadTotalLiveCount));
        Assert.Equal(live[6], live[12]);
        Assert.Equal(live[6], live[23]);
    }

    [Fact]
    public void Resuming_after_k_steps_gives_the_same_weights_as_an_uninterrupted_run()
    {
        var options = TrainingFixture.Smoke(steps: 6, validateEvery: 3, checkpointEvery: 3);
        string straight = Folder("straight"), resumed = Folder("resumed");
        using (var a = Trainer.Start(options, straight)) a.Run();
        using (var b = Trainer.Start(options, resumed))
        {
            var partial = b.Run(stopAtStep: 3);
            Assert.Equal(3, partial.Step);
            Assert.False(partial.Completed);
        }
        using (var c = Trainer.Resume(resumed))
        {
            Assert.Equal(3, c.Step);
            var result = c.Run();
            Assert.True(result.Completed);
        }
        var (n1, h1) = Checkpoint.LoadNetwork(Path.Combine(straight, "checkpoints", "step-0000006.ckpt"));
        var (n2, h2) = Checkpoint.LoadNetwork(Path.Combine(resumed, "checkpoints", "step-0000006.ckpt"));
        using (n1)
        using (n2)
        {
            Assert.Equal(h1.Step, h2.Step);
            var s1 = n1.state_dict();
            var s2 = n2.state_dict();
            Assert.Equal(s1.Keys, s2.Keys);
            foreach (var key in s1.Keys)
                Assert.True(s1[key].allclose(s2[key], rtol: 1e-5, atol: 1e-6), $"{key} differs after resume");
            // and training changed the weights at all (the comparison is not vacuous)
            using var fresh = NetworkRegistry.Create("meddeblur", h1.Options["network"].Deserialize<NetworkOptions>(JsonDefaults.Options)!, 1);
            Assert.Contains(s1.Keys, k => !fresh.state_dict()[k].allclose(s1[k]));
        }
    }

    [Fact]
    public void Diverging_loss_stops_the_run_with_a_clear_message_and_keeps_the_last_good_checkpoint()
    {
        // three sane steps, then a learning rate that blows the network up: the checkpoint written after the first bad
        // update has finite weights whose loss is only found to be NaN one step later, so it must not be called good
        var options = TrainingFixture.Smoke() with
        {
            Training = TrainingFixture.Smoke().Training with { Steps = 40, CheckpointEvery = 1, KeepLast = 40, Loss = LossKind.Mse, LogEvery = 1 },
        };
        string folder = Folder("nan");
        using (var sane = Trainer.Start(options, folder)) sane.Run(stopAtStep: 3);
        options = options with { Training = options.Training with { LearningRate = 1e9 } };
        File.WriteAllText(Path.Combine(folder, "options.json"), options.ToJson());
        using var trainer = Trainer.Resume(folder);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Contains("last good checkpoint", e.Message);
        string good = e.LastGoodCheckpoint!;
        Assert.True(good is not null, File.ReadAllText(trainer.Folder.LogPath));
        Assert.Contains(good, e.Message);
        Assert.Contains("\"kind\":\"diverged\"", File.ReadAllText(trainer.Folder.LogPath));

        // the reported checkpoint holds finite weights that give a finite loss on the batch trained after it
        var (network, header) = Checkpoint.LoadNetwork(good);
        using (network)
        using (var scope = NewDisposeScope())
        {
            Assert.True(header.Step < Checkpoint.ReadHeader(Trainer.LatestCheckpoint(trainer.Folder)!).Step, "the latest checkpoint was reported although its loss is unknown");
            Assert.All(network.parameters(), p => Assert.True(p.isfinite().all().item<bool>(), "non-finite weight in the reported checkpoint"));
            var dataset = MedDeblur.Data.ImageFolderDataset.Open(options.Data.Root!, options.Data.Split);
            using var batches = new TrainingBatches(dataset.Split(MedDeblur.Data.DatasetSplit.Train), new MedDeblur.Blur.MotionBlurSimulator(options.Blur),
                options.Data, network.Scales, options.Training.Seed);
            var batch = batches.Make(header.Step, options.Training.BatchSize);
            using var noGrad = no_grad();
            var loss = new DeblurLoss(LossKind.Mse, false).Compute(network.ForwardScales([.. batch.Pyramid]), batch.Target).item<float>();
            Assert.True(float.IsFinite(loss), $"loss {loss} of the reported checkpoint");
        }
    }

    [Fact]
    public void Cancellation_saves_a_checkpoint_that_resumes()
    {
        using var cancel = new CancellationTokenSource();
        string folder = Folder("cancel");
        using (var trainer = Trainer.Start(TrainingFixture.Smoke(steps: 50), folder))
        {
            var result = trainer.Run(cancel.Token, new SynchronousProgress<TrainingProgress>(p => { if (p.Step == 2) cancel.Cancel(); }));
            Assert.True(result.Cancelled);
            Assert.Equal(2, result.Step);
            Assert.EndsWith("step-0000002.ckpt", result.LastCheckpoint);
        }
        using var again = Trainer.Resume(folder);
        Assert.Equal(2, again.Step);
    }

    [Fact]
    public void A_folder_that_holds_a_checkpointed_run_is_not_started_twice()
    {
        string folder = Folder("twice");
        using (var trainer = Trainer.Start(TrainingFixture.Smoke(steps: 1), folder)) trainer.Run();
        var e = Assert.Throws<RunFolderException>(() => Trainer.Start(TrainingFixture.Smoke(), folder));
        Assert.Contains("--resume", MedDeblur.Cli.CliMessages.Describe(e)); // the library names the problem, the CLI the option
    }

    [Fact]
    public void A_run_stopped_before_its_first_checkpoint_is_started_afresh_and_resume_says_so()
    {
        string folder = Folder("stale");
        using (Trainer.Start(TrainingFixture.Smoke(steps: 7), folder)) { } // options.json, no checkpoint
        File.WriteAllText(Path.Combine(folder, "log.jsonl"), "{\"step\":1,\"kind\":\"train\"}\n");
        var e = Assert.Throws<RunFolderException>(() => Trainer.Resume(folder));
        Assert.Contains("without --resume", MedDeblur.Cli.CliMessages.Describe(e));
        Assert.Contains(Path.GetFullPath(folder), e.Message);
        using (var again = Trainer.StartOrResume(TrainingFixture.Smoke(steps: 2), folder))
        {
            Assert.Equal(0, again.Step);
            Assert.True(again.Run().Completed);
        }
        Assert.Equal(2, RunOptions.Parse(File.ReadAllText(Path.Combine(folder, "options.json")), "options.json").Training.Steps);
        Assert.Equal([1, 2], JsonlLog.Read(Path.Combine(folder, "log.jsonl")).Where(r => (string?)r["kind"] == "train").Select(r => (int)r["step"]!)); // the stale step-1 entry is gone
        using var resumed = Trainer.StartOrResume(TrainingFixture.Smoke(steps: 2), folder);
        Assert.Equal(2, resumed.Step);
    }

    [Fact]
    public void Start_or_resume_refuses_a_folder_trained_with_other_options()
    {
        string folder = Folder("other");
        using (var trainer = Trainer.Start(TrainingFixture.Smoke(steps: 1), folder)) trainer.Run();
        var quick = Presets.Load("quick");
        var e = Assert.Throws<MedDeblurException>(() => Trainer.StartOrResume(TrainingFixture.Smoke(steps: 1) with { Name = "quick", Network = quick.Network }, folder));
        Assert.Contains(Path.GetFullPath(folder), e.Message);
        Assert.Contains("'smoke'", e.Message);
        Assert.Contains("'quick'", e.Message);
        Assert.Contains("network", e.Message);
    }

    [Fact]
    public void Resume_drops_the_log_entries_after_the_checkpoint()
    {
        string folder = Folder("log");
        using (var trainer = Trainer.Start(TrainingFixture.Smoke(steps: 4, checkpointEvery: 2), folder)) trainer.Run(stopAtStep: 3);
        File.Delete(Path.Combine(folder, "checkpoints", "step-0000003.ckpt")); // as if the process died after logging step 3
        using (var trainer = Trainer.Resume(folder))
        {
            Assert.Equal(2, trainer.Step);
            trainer.Run();
        }
        var steps = JsonlLog.Read(Path.Combine(folder, "log.jsonl")).Where(r => (string?)r["kind"] == "train").Select(r => (int)r["step"]!);
        Assert.Equal([1, 2, 3, 4], steps);
    }

    [Fact]
    public void The_recorded_git_commit_is_the_one_the_kit_was_built_from_wherever_it_runs()
    {
        string? head = null;
        try
        {
            using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", "rev-parse HEAD")
                { WorkingDirectory = Fixture.RepositoryRoot(), RedirectStandardOutput = true, RedirectStandardError = true })!;
            string output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            if (git.ExitCode == 0) head = output;
        }
        catch (System.ComponentModel.Win32Exception) { } // no git: the build embedded nothing either
        string? recorded = RunFolder.GitCommit();
        Assert.Equal(head, recorded?.Replace("+dirty", "", StringComparison.Ordinal)); // embedded at build time, not read from the working directory
    }

    [Fact]
    public void Run_folder_holds_options_environment_log_and_validation_curves()
    {
        string folder = Folder("run");
        using (var trainer = Trainer.Start(TrainingFixture.Smoke(steps: 4, validateEvery: 2, checkpointEvery: 2), folder))
        {
            var result = trainer.Run();
            Assert.Equal([2, 4], result.Validations.Select(v => v.Step));
            Assert.All(result.Validations, v => Assert.InRange(v.Psnr, 5, 40));
            Assert.NotNull(result.BestCheckpoint);
        }
        Assert.Contains("\"model\": \"meddeblur\"", File.ReadAllText(Path.Combine(folder, "options.json")));
        Assert.Contains("libTorchVersion", File.ReadAllText(Path.Combine(folder, "environment.json")));
        var log = JsonlLog.Read(Path.Combine(folder, "log.jsonl"));
        Assert.Equal(4, log.Count(r => (string?)r["kind"] == "train"));
        Assert.Equal(2, log.Count(r => (string?)r["kind"] == "validation"));
    }

    [Fact]
    public void Fine_tuning_starts_from_the_given_weights_records_them_and_refuses_another_network()
    {
        var options = TrainingFixture.Smoke(steps: 2);
        string weights;
        using (var source = Trainer.Start(options, Folder("source"))) weights = source.Run().LastCheckpoint;

        using (var tuned = Trainer.Start(options, Folder("tuned"), weights))
        using (var fresh = Trainer.Start(options, Folder("fresh")))
        {
            var (trained, _) = Checkpoint.LoadNetwork(weights);
            using (trained)
            {
                var expected = trained.state_dict();
                foreach (var (name, tensor) in tuned.Network.state_dict())
                    Assert.True(tensor.allclose(expected[name], rtol: 0, atol: 0), $"{name} was not taken from {weights}");
                Assert.Contains(fresh.Network.state_dict(), p => !p.Value.allclose(expected[p.Key], rtol: 0, atol: 0)); // two steps changed the weights
            }
            Assert.Equal(0, tuned.Step);
            Assert.Contains(tuned.Notes, n => n.Contains(weights, StringComparison.Ordinal));
            var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder("tuned"), "initial-weights.json"))).RootElement;
            Assert.Equal(weights, record.GetProperty("path").GetString());
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(weights))), record.GetProperty("sha256").GetString());
            Assert.False(File.Exists(Path.Combine(Folder("fresh"), "initial-weights.json")));
        }

        var otherModel = Assert.Throws<MedDeblurException>(() => Trainer.Start(options with { Model = "srn" }, Folder("srn"), weights));
        Assert.Equal($"{weights} holds a meddeblur network; this run trains srn", otherModel.Message);
        var wider = options with { Network = options.Network with { Widths = [.. options.Network.Widths.Select(w => 2 * w)] } };
        var otherWidths = Assert.Throws<MedDeblurException>(() => Trainer.Start(wider, Folder("wider"), weights));
        Assert.StartsWith($"{weights} holds meddeblur with other network options than this run's preset", otherWidths.Message);
        Assert.False(Directory.Exists(Folder("srn")) || Directory.Exists(Folder("wider")), "a refused start leaves no run folder");
    }
}
