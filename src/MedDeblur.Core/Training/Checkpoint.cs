using MedDeblur.Imaging;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using MedDeblur.Configuration;
using MedDeblur.Networks;
using TorchSharp.Modules;

namespace MedDeblur.Training;

/// <summary>What a checkpoint records besides the tensors.</summary>
public sealed record CheckpointHeader
{
    /// <summary>File-format identifier.</summary>
    public string Format { get; init; } = Checkpoint.FormatName;

    /// <summary>Registry name of the network (e.g. <c>meddeblur</c>).</summary>
    public required string Model { get; init; }

    /// <summary>Optimizer steps completed.</summary>
    public required int Step { get; init; }

    /// <summary>The run's complete options (preset with overrides) as JSON, so the checkpoint rebuilds its network.</summary>
    public required JsonObject Options { get; init; }

    /// <summary>Validation PSNR at this step, if validated.</summary>
    public double? ValidationPsnr { get; init; }

    /// <summary>Best validation PSNR seen so far in the run.</summary>
    public double? BestValidationPsnr { get; init; }

    /// <summary>Random-number state: the run seed (every step's randomness is derived from (seed, step), so the seed and
    /// the step are the complete RNG state) and any generator states, base64.</summary>
    public Dictionary<string, string> RngStates { get; init; } = [];

    /// <summary>When the checkpoint was written (UTC).</summary>
    public DateTime SavedUtc { get; init; } = DateTime.UtcNow;

    /// <summary>What the integrity check found when the checkpoint was loaded (not stored in the file).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public FileIntegrity Integrity { get; init; }
}

/// <summary>
/// One-file training checkpoints: a JSON header, the network's weights and (optionally) the optimizer state, written to
/// a temporary file and renamed, so a crash never leaves a torn checkpoint. Layout: magic line, then length-prefixed
/// sections <c>header</c> (UTF-8 JSON), <c>model</c> (TorchSharp <c>Module.save</c> format), <c>optimizer</c>
/// (TorchSharp <c>save_state_dict</c> format); weights can be read without the optimizer section. Since format 2 the file
/// ends with a SHA-256 checksum of everything before it (<see cref="ContentChecksum"/>), verified on every load: a
/// damaged or cut file is named as damaged. Format-1 files (no checksum) still load, with
/// <see cref="CheckpointHeader.Integrity"/> = <see cref="FileIntegrity.NoChecksum"/>.
/// </summary>
public static class Checkpoint
{
    /// <summary>Value of <see cref="CheckpointHeader.Format"/> written by this version.</summary>
    public const string FormatName = "meddeblur-checkpoint/2";

    /// <summary>The format before checksums: still read, without an integrity check.</summary>
    public const string LegacyFormatName = "meddeblur-checkpoint/1";

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("MEDDEBLUR-CHECKPOINT\n");

    /// <summary>Writes a checkpoint atomically.</summary>
    public static void Save(string path, CheckpointHeader header, torch.nn.Module model, OptimizerHelper? optimizer)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            WriteSection(writer, w => w.Write(JsonSerializer.SerializeToUtf8Bytes(header, JsonDefaults.Options)));
            WriteSection(writer, w => WeightsFile.Write(w, model));
            WriteSection(writer, w => optimizer?.save_state_dict(w));
            writer.Flush();
            ContentChecksum.Append(stream);
        });
    }

    /// <summary>Reads only the header.</summary>
    public static CheckpointHeader ReadHeader(string path)
    {
        using var reader = Open(path);
        return ReadHeaderSection(reader, path);
    }

    /// <summary>
    /// Loads the weights into <paramref name="model"/> (which must be the architecture the checkpoint names) and, when
    /// given, the optimizer state. Returns the header.
    /// </summary>
    public static CheckpointHeader Load(string path, torch.nn.Module model, OptimizerHelper? optimizer = null) =>
        Load(path, model, optimizer, Verify(path));

    private static CheckpointHeader Load(string path, torch.nn.Module model, OptimizerHelper? optimizer, FileIntegrity integrity)
    {
        using var reader = Open(path);
        var header = ReadHeaderSection(reader, path);
        long fileLength = reader.BaseStream.Length, contentEnd = fileLength - (integrity == FileIntegrity.Verified ? ContentChecksum.TrailerLength : 0);
        try
        {
            long modelLength = reader.ReadInt64();
            long modelEnd = reader.BaseStream.Position + modelLength;
            if (modelLength < 0 || modelEnd > contentEnd) throw new CheckpointException(path, "the file is damaged or truncated (the weights section runs past its end)");
            try
            {
                WeightsFile.Load(model, reader, path);
            }
            catch (EndOfStreamException e)
            {
                throw new CheckpointException(path, "the weights section is truncated", e);
            }
            catch (MedDeblurException e) when (e is not CheckpointException)
            {
                throw new CheckpointException(path, e.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message, e);
            }
            if (reader.BaseStream.Position != modelEnd)
                throw new CheckpointException(path, "the weights section does not match the network (different architecture or widths)");
            long optimizerLength = reader.ReadInt64();
            if (optimizerLength < 0 || reader.BaseStream.Position + optimizerLength != contentEnd)
                throw new CheckpointException(path, "the file is damaged or truncated (its sections do not add up to its length)");
            if (optimizer is not null)
            {
                if (optimizerLength == 0) throw new CheckpointException(path, "it holds no optimizer state, so training cannot resume from it");
                try { optimizer.load_state_dict(reader); }
                catch (Exception e) when (e is not CheckpointException)
                {
                    throw new CheckpointException(path, $"the optimizer state does not match this run ({e.Message})", e);
                }
            }
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointException(path, "the file is truncated", e);
        }
        return header with { Integrity = integrity };
    }

    /// <summary>
    /// Checks a checkpoint's integrity without loading it: <see cref="FileIntegrity.Verified"/> (its SHA-256 checksum
    /// matches) or <see cref="FileIntegrity.NoChecksum"/> (a format-1 file from before checksums).
    /// </summary>
    /// <exception cref="CheckpointException">Missing, not a checkpoint, or damaged (content changed, or cut so that its
    /// checksum is gone); the message says "damaged".</exception>
    public static FileIntegrity Verify(string path)
    {
        using var reader = Open(path);
        FileIntegrity integrity;
        try
        {
            integrity = ContentChecksum.Verify(reader.BaseStream);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException(path, e.Message, e);
        }
        if (integrity == FileIntegrity.NoChecksum)
        {
            CheckpointHeader header;
            try { header = ReadHeaderSection(reader, path); }
            catch (CheckpointException e) { throw new CheckpointException(path, $"the file is damaged ({e.Reason}; it has no checksum)", e); }
            if (header.Format != LegacyFormatName)
                throw new CheckpointException(path, "the file is damaged: truncated or changed at its end (its checksum is missing)");
        }
        return integrity;
    }

    /// <summary>
    /// Rebuilds the network a checkpoint was trained as (registry name and network options from its header) and loads its
    /// weights: what <c>deblur</c>, <c>evaluate</c> and the notebooks use. A PyTorch <c>torch.save</c> file (the
    /// authors' <c>MedDeblur_checkpoint.pth</c>, an SRN-DeblurNet state dict) is accepted too
    /// (<see cref="PyTorchStateDict"/>): its header is made up from the file, with the <c>paper</c> preset's other
    /// options and <see cref="CheckpointHeader.Format"/> = <see cref="PyTorchStateDict.FormatName"/>.
    /// </summary>
    public static (DeblurNetwork Network, CheckpointHeader Header) LoadNetwork(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (PyTorchStateDict.IsPyTorchFile(path)) return LoadPyTorch(path);
        var integrity = Verify(path); // a damaged file is named as damaged before anything in it is trusted
        var header = ReadHeader(path);
        var options = RunOptions.Parse(header.Options.ToJsonString(), path + " (header options)");
        var network = NetworkRegistry.Create(header.Model, options.Network);
        try
        {
            return (network, Load(path, network, null, integrity));
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static (DeblurNetwork Network, CheckpointHeader Header) LoadPyTorch(string path)
    {
        var (network, info) = PyTorchStateDict.LoadNetwork(path);
        var options = Presets.Load("paper") with { Network = info.Options };
        var header = new CheckpointHeader
        {
            Format = PyTorchStateDict.FormatName,
            Model = info.Model,
            Step = info.Step ?? 0,
            Options = options.ToJsonObject(),
            SavedUtc = File.GetLastWriteTimeUtc(path),
        };
        return (network, header);
    }

    private static BinaryReader Open(string path)
    {
        switch (FileSystemFacts.KindOf(path))
        {
            case FileKind.Missing: throw new CheckpointException(path, "the file does not exist");
            case FileKind.Regular: break;
            default: throw new CheckpointException(path, "it is not a regular file (a folder, FIFO, socket or device)");
        }
        var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        try
        {
            var magic = reader.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
                throw new CheckpointException(path, PyTorchStateDict.IsPyTorchFile(path)
                    ? "it is a PyTorch file: deblur, evaluate and the notebooks load it as weights; training cannot resume from it"
                    : "it is not a MedDeblur checkpoint (wrong magic bytes)");
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private static CheckpointHeader ReadHeaderSection(BinaryReader reader, string path)
    {
        try
        {
            long length = reader.ReadInt64();
            if (length <= 0 || length > 64 << 20) throw new CheckpointException(path, $"the header length {length} is invalid");
            if (length > reader.BaseStream.Length - reader.BaseStream.Position) throw new CheckpointException(path, "the file is truncated in its header");
            var bytes = reader.ReadBytes((int)length);
            if (bytes.Length != length) throw new CheckpointException(path, "the file is truncated in its header");
            var header = JsonSerializer.Deserialize<CheckpointHeader>(bytes, JsonDefaults.Options)
                ?? throw new CheckpointException(path, "the header is empty");
            // JSON null satisfies 'required': a damaged header must not reach the callers with null fields
            if (header.Options is null || string.IsNullOrWhiteSpace(header.Model) || header.Step < 0 || header.RngStates is null || header.Format is null)
                throw new CheckpointException(path, "the header is incomplete (model, step or options missing): the file is damaged");
            if (header.Format != FormatName && header.Format != LegacyFormatName)
                throw new CheckpointException(path, $"format '{header.Format}' is not supported (expected '{FormatName}')");
            return header;
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointException(path, "the file is truncated", e);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"the header is not valid JSON ({e.Message})", e);
        }
    }

    private static void WriteSection(BinaryWriter writer, Action<BinaryWriter> write)
    {
        var stream = writer.BaseStream;
        long lengthAt = stream.Position;
        writer.Write(0L);
        write(writer);
        writer.Flush();
        long end = stream.Position;
        stream.Position = lengthAt;
        writer.Write(end - lengthAt - sizeof(long));
        writer.Flush();
        stream.Position = end;
    }
}

/// <summary>A checkpoint that cannot be read; the message names the file and the problem.</summary>
public sealed class CheckpointException : MedDeblurException
{
    /// <summary>Creates the exception.</summary>
    public CheckpointException(string path, string reason, Exception? inner = null)
        : base($"checkpoint {path}: {reason}", inner ?? new InvalidDataException(reason))
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; }
}
