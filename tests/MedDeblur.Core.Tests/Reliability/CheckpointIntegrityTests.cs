using System.Text;
using System.Text.Json;
using MedDeblur.Configuration;
using MedDeblur.Networks;
using MedDeblur.Tests.Training;
using MedDeblur.Training;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Reliability;

/// <summary>Issue 11: a damaged checkpoint or weights file is named as damaged and never loaded; older files still load.</summary>
public sealed class CheckpointIntegrityTests : TempFolderTest
{
    /// <summary>A DnCNN smoke checkpoint with Adam state after one step (small, and every section non-empty).</summary>
    private string Save(string name)
    {
        var options = Presets.Load("smoke") with { Model = "dncnn" };
        using var network = NetworkRegistry.Create("dncnn", options.Network, 3);
        using var optimizer = optim.Adam(network.parameters());
        using (var scope = NewDisposeScope())
        {
            var x = rand(1, 3, 16, 16, generator: new Generator(2));
            network.call(x).sub(x).square().mean().backward();
            optimizer.step();
        }
        string path = Path.Combine(Temp, name);
        Checkpoint.Save(path, new CheckpointHeader { Model = "dncnn", Step = 5, Options = options.ToJsonObject() }, network, optimizer);
        return path;
    }

    private static DeblurNetwork Network() => NetworkRegistry.Create("dncnn", Presets.Load("smoke").Network, 9);

    [Fact]
    public void A_flipped_byte_anywhere_in_a_checkpoint_is_detected_as_damage()
    {
        string good = Save("good.ckpt");
        var bytes = File.ReadAllBytes(good);
        using (var network = Network()) Assert.Equal(FileIntegrity.Verified, Checkpoint.Load(good, network).Integrity);
        // every 97th byte, and the last 40 (the checksum trailer itself)
        var positions = Enumerable.Range(0, bytes.Length).Where(i => i % 97 == 0 || i >= bytes.Length - 40).ToArray();
        using var target = Network();
        foreach (int i in positions)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x10;
            string path = Path.Combine(Temp, "flipped.ckpt");
            File.WriteAllBytes(path, damaged);
            var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, target));
            Assert.True(e.Message.Contains("damaged") || e.Message.Contains("not a MedDeblur checkpoint"), $"byte {i}: {e.Message}");
        }
    }

    [Fact]
    public void A_checkpoint_cut_after_its_weights_is_damaged_not_an_optimizer_mismatch()
    {
        string good = Save("good.ckpt");
        var bytes = File.ReadAllBytes(good);
        int headerEnd = 21 + 8 + (int)BitConverter.ToInt64(bytes, 21);
        long weights = BitConverter.ToInt64(bytes, headerEnd);
        string cut = Path.Combine(Temp, "cut.ckpt");
        File.WriteAllBytes(cut, bytes[..(headerEnd + 8 + (int)weights)]);
        using var network = Network();
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(cut, network)); // deblur: weights only
        Assert.Contains("damaged", e.Message);
        Assert.Contains(cut, e.Message);
    }

    [Fact]
    public void A_checkpoint_written_before_checksums_still_loads_and_says_so()
    {
        // format 1: the same sections, no trailer, "meddeblur-checkpoint/1" in the header
        var bytes = File.ReadAllBytes(Save("new.ckpt"))[..^40];
        int headerLength = (int)BitConverter.ToInt64(bytes, 21);
        string json = Encoding.UTF8.GetString(bytes, 29, headerLength).Replace(Checkpoint.FormatName, Checkpoint.LegacyFormatName, StringComparison.Ordinal);
        var header = Encoding.UTF8.GetBytes(json);
        var legacy = bytes[..21].Concat(BitConverter.GetBytes((long)header.Length)).Concat(header).Concat(bytes[(29 + headerLength)..]).ToArray();
        string path = Path.Combine(Temp, "legacy.ckpt");
        File.WriteAllBytes(path, legacy);
        using var network = Network();
        Assert.Equal(FileIntegrity.NoChecksum, Checkpoint.Verify(path));
        Assert.Equal(FileIntegrity.NoChecksum, Checkpoint.Load(path, network).Integrity);
        // without a checksum a damaged legacy file is caught only structurally: a cut one is still refused
        File.WriteAllBytes(path, legacy[..^100]);
        Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, network));
    }

    [Fact]
    public void A_weights_file_carries_a_checksum_and_a_flipped_byte_is_reported_as_damaged()
    {
        string path = Path.Combine(Temp, "w.weights");
        using var network = Network();
        WeightsFile.Save(network, path);
        Assert.Equal(FileIntegrity.Verified, WeightsFile.Verify(path));
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<MedDeblurException>(() => WeightsFile.Load(network, path));
        Assert.Contains("damaged", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_weights_file_written_by_TorchSharp_itself_still_loads_without_a_checksum()
    {
        string path = Path.Combine(Temp, "plain.weights");
        using var network = Network();
        network.save(path);
        Assert.Equal(FileIntegrity.NoChecksum, WeightsFile.Verify(path));
        WeightsFile.Load(network, path);
    }

    [Fact]
    public void Checkpoints_found_by_the_fuzzer_are_refused_without_crashing_the_process()
    {
        // stored as the fuzz target saw them (checksum re-stamped, fuzz/reseal.py): they reach the tensor reader, where
        // the first one made LibTorch crash the process with a segmentation fault
        var files = Directory.GetFiles(Fixture.Path("Fuzz", "checkpoint"));
        Assert.NotEmpty(files);
        using var network = Network();
        using var optimizer = optim.Adam(network.parameters());
        foreach (var file in files)
        {
            try { Checkpoint.Load(file, network, optimizer); }
            catch (CheckpointException e) { Assert.Contains(file, e.Message); }
            // what deblur and evaluate do first: the header (a JSON null in it made callers fail with NullReferenceException)
            try
            {
                var header = Checkpoint.ReadHeader(file);
                RunOptions.Parse(header.Options.ToJsonString(), file);
            }
            catch (MedDeblurException e) { Assert.Contains(file, e.Message); }
            try { Checkpoint.LoadNetwork(file).Network.Dispose(); }
            catch (MedDeblurException e) { Assert.Contains(file, e.Message); }
        }
    }

    [Fact]
    public void Resume_takes_the_newest_intact_checkpoint_when_the_latest_is_damaged()
    {
        var options = TrainingFixture.Smoke(steps: 4, checkpointEvery: 2, model: "dncnn");
        string run = Path.Combine(Temp, "run");
        using (var trainer = Trainer.Start(options, run)) trainer.Run();
        string latest = Path.Combine(run, "checkpoints", "step-0000004.ckpt");
        var bytes = File.ReadAllBytes(latest);
        File.WriteAllBytes(latest, bytes[..(bytes.Length - 500)]);
        using var resumed = Trainer.Resume(run);
        Assert.Equal(2, resumed.Step);
        Assert.Contains(resumed.Notes, n => n.Contains("step-0000004.ckpt is damaged"));
        Assert.True(File.Exists(latest + ".damaged"));
        Assert.False(File.Exists(latest));
    }

    [Fact]
    public void A_bad_data_folder_leaves_no_run_folder_behind()
    {
        var options = TrainingFixture.Smoke() with { Data = Presets.Load("smoke").Data with { Root = Path.Combine(Temp, "no-such-data") } };
        string run = Path.Combine(Temp, "run");
        Assert.Throws<MedDeblurException>(() => Trainer.Start(options, run));
        Assert.False(Directory.Exists(run), JsonSerializer.Serialize(Directory.Exists(run) ? Directory.GetFileSystemEntries(run, "*", SearchOption.AllDirectories) : []));
    }
}
