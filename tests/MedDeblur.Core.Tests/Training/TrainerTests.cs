using System.Text.Json;
using MedDeblur.Networks;
using MedDeblur.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string temp = Fixture.TempFolder();

    public void Dispose() => Directory.Delete(temp, recursive: true);

    private string Folder(string name) => Path.Combine(temp, name);

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
        using var trainer = Trainer.Start(TrainingFixture.Smoke(steps: 40, checkpointEvery: 1, learningRate: 1e9) with
        {
            Training = TrainingFixture.Smoke().Training with { Steps = 40, CheckpointEvery = 1, LearningRate = 1e9, Loss = LossKind.Mse, LogEvery = 1 },
        }, Folder("nan"));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Contains("the loss became", e.Message);
        Assert.Contains("last good checkpoint", e.Message);
        string last = Trainer.LatestCheckpoint(trainer.Folder)!;
        Assert.Contains(last, e.Message);
        var header = Checkpoint.ReadHeader(last);
        Assert.True(header.Step < 40);
        Assert.Contains("\"kind\":\"diverged\"", File.ReadAllText(trainer.Folder.LogPath));
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
    public void A_folder_that_holds_a_run_is_not_started_twice()
    {
        string folder = Folder("twice");
        using (Trainer.Start(TrainingFixture.Smoke(), folder)) { }
        var e = Assert.Throws<MedDeblurException>(() => Trainer.Start(TrainingFixture.Smoke(), folder));
        Assert.Contains("--resume", e.Message);
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
}
