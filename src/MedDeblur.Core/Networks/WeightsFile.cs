using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Networks;

/// <summary>How a state dictionary differs from a module's: keys it lacks, keys the module lacks, and size/type clashes.</summary>
/// <param name="Missing">Keys of the module that the state dictionary does not have.</param>
/// <param name="Unexpected">Keys of the state dictionary that the module does not have.</param>
/// <param name="Mismatched">Keys present in both with a different shape or dtype, described as
/// <c>key: file [shape] dtype, module [shape] dtype</c>.</param>
public sealed record StateDictDifference(
    IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<string> Mismatched)
{
    /// <summary>True when the state dictionary fits the module exactly.</summary>
    public bool IsEmpty => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <summary>A multi-line description listing up to <paramref name="maxPerList"/> keys of each kind.</summary>
    public string Describe(int maxPerList = 10)
    {
        var text = new StringBuilder();
        Append(text, "missing keys (in the network, not in the file)", Missing, maxPerList);
        Append(text, "unexpected keys (in the file, not in the network)", Unexpected, maxPerList);
        Append(text, "shape or dtype mismatches", Mismatched, maxPerList);
        return text.ToString().TrimEnd();
    }

    private static void Append(StringBuilder text, string title, IReadOnlyList<string> keys, int max)
    {
        if (keys.Count == 0) return;
        text.Append("  ").Append(keys.Count).Append(' ').Append(title).Append(": ");
        text.Append(string.Join(", ", keys.Take(max)));
        if (keys.Count > max) text.Append(", ... (").Append(keys.Count - max).Append(" more)");
        text.AppendLine();
    }
}

/// <summary>
/// Network weights on disk, in TorchSharp's own state-dict format (the format of <c>Module.save</c> / <c>Module.load</c>:
/// a LEB128 entry count, then per entry the key string and the tensor), followed by a SHA-256 checksum trailer
/// (<see cref="ContentChecksum"/>) that loading verifies; files without one (older kit versions, TorchSharp's own
/// <c>Module.save</c>) still load. Saving is atomic (temporary file, then rename);
/// loading is strict and, when the file belongs to another architecture or size, fails with a
/// <see cref="MedDeblurException"/> that lists the missing and unexpected keys and the shape mismatches. The
/// <see cref="BinaryWriter"/>/<see cref="BinaryReader"/> overloads let a training checkpoint embed the weights.
/// </summary>
public static class WeightsFile
{
    private const long MaxEntries = 1_000_000;

    /// <summary>Writes the parameters and buffers of <paramref name="module"/> to <paramref name="path"/> (atomically),
    /// followed by a SHA-256 checksum of the content (<see cref="ContentChecksum"/>).</summary>
    public static void Save(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.Write(path, stream =>
        {
            using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
                Write(writer, module);
            ContentChecksum.Append(stream);
        });
    }

    /// <summary>
    /// Checks the checksum of a weights file: <see cref="FileIntegrity.Verified"/>, or <see cref="FileIntegrity.NoChecksum"/>
    /// for a file written before checksums (or by TorchSharp's <c>Module.save</c>).
    /// </summary>
    /// <exception cref="MedDeblurException">Missing, or damaged (its content does not match its checksum).</exception>
    public static FileIntegrity Verify(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new MedDeblurException($"weights file not found: {path}");
        try
        {
            return ContentChecksum.Verify(path);
        }
        catch (InvalidDataException e)
        {
            throw new MedDeblurException($"{path}: {e.Message}.", e);
        }
    }

    /// <summary>Writes the state dictionary of <paramref name="module"/> to an open writer (TorchSharp format).</summary>
    public static void Write(BinaryWriter writer, nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(module);
        module.save(writer);
    }

    /// <summary>Reads every tensor of a weights file onto the CPU. The caller owns (disposes) the tensors.</summary>
    /// <exception cref="MedDeblurException">The file is missing or is not a TorchSharp weights file.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        var integrity = Verify(path);
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var result = Read(reader, path);
        long end = stream.Length - (integrity == FileIntegrity.Verified ? ContentChecksum.TrailerLength : 0);
        if (stream.Position != end)
        {
            foreach (var t in result.Values) t.Dispose();
            throw new MedDeblurException($"{path}: the file is damaged ({end - stream.Position} unexpected bytes after the last tensor).");
        }
        return result;
    }

    /// <summary>Reads a state dictionary from an open reader; <paramref name="source"/> names it in errors.</summary>
    public static Dictionary<string, Tensor> Read(BinaryReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            long count = reader.Read7BitEncodedInt64();
            if (count < 0 || count > MaxEntries)
                throw new MedDeblurException($"{source}: not a weights file (header says {count} entries).");
            for (long i = 0; i < count; i++)
            {
                string key = reader.ReadString();
                CheckTensorRecord(reader, source, key);
                var tensor = TensorExtensionMethods.Load(reader, skip: false);
                if (!result.TryAdd(key, tensor))
                {
                    tensor.Dispose();
                    throw new MedDeblurException($"{source}: not a valid weights file (key '{key}' appears twice).");
                }
            }
            return result;
        }
        catch (Exception e) when (e is not MedDeblurException and not OutOfMemoryException)
        {
            foreach (var t in result.Values) t.Dispose();
            throw new MedDeblurException($"{source}: not a TorchSharp weights file or truncated ({e.GetType().Name}: {e.Message}).", e);
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks one tensor record (LEB128 dtype, rank, dimensions, then the raw bytes) before TorchSharp reads it: LibTorch
    /// crashes the process (segmentation fault) on an unknown dtype and allocates whatever a damaged shape claims, so
    /// the dtype must be one TorchSharp saves, the rank and dimensions sane and the data present in the file. The reader
    /// is left where it was.
    /// </summary>
    private static void CheckTensorRecord(BinaryReader reader, string source, string key)
    {
        var stream = reader.BaseStream;
        if (!stream.CanSeek) return;
        long start = stream.Position;
        try
        {
            long dtype = reader.Read7BitEncodedInt64();
            int size = dtype switch
            {
                0 or 1 or 11 => 1, // Byte, Int8, Bool
                2 or 5 or 15 => 2, // Int16, Float16, BFloat16
                3 or 6 => 4, // Int32, Float32
                4 or 7 or 9 => 8, // Int64, Float64, ComplexFloat32
                10 => 16, // ComplexFloat64
                _ => throw new MedDeblurException($"{source}: the file is damaged (tensor '{key}' has an unknown element type {dtype})."),
            };
            long rank = reader.Read7BitEncodedInt64();
            if (rank < 0 || rank > 16) throw new MedDeblurException($"{source}: the file is damaged (tensor '{key}' has rank {rank}).");
            long bytes = size;
            for (long d = 0; d < rank; d++)
            {
                long dim = reader.Read7BitEncodedInt64();
                if (dim < 0 || dim > int.MaxValue || (bytes = dim == 0 ? 0 : bytes * dim) > stream.Length)
                    throw new MedDeblurException($"{source}: the file is damaged or truncated (tensor '{key}' claims more data than the file holds).");
            }
            if (bytes > stream.Length - stream.Position)
                throw new MedDeblurException($"{source}: the file is truncated (tensor '{key}' needs {bytes:N0} bytes, {stream.Length - stream.Position:N0} are left).");
        }
        catch (FormatException e)
        {
            throw new MedDeblurException($"{source}: the file is damaged (tensor '{key}' has a malformed header).", e);
        }
        stream.Position = start;
    }

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="module"/>, strictly: every key must match in name, shape and
    /// dtype, otherwise nothing is changed and a <see cref="MedDeblurException"/> lists the differences.
    /// </summary>
    public static void Load(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        var stateDict = Read(path);
        try
        {
            Load(module, stateDict, path);
        }
        finally
        {
            foreach (var t in stateDict.Values) t.Dispose();
        }
    }

    /// <summary>Loads an open reader's state dictionary into <paramref name="module"/> (strict, as <see cref="Load(nn.Module, string)"/>).</summary>
    public static void Load(nn.Module module, BinaryReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(module);
        var stateDict = Read(reader, source);
        try
        {
            Load(module, stateDict, source);
        }
        finally
        {
            foreach (var t in stateDict.Values) t.Dispose();
        }
    }

    /// <summary>Copies <paramref name="stateDict"/> into <paramref name="module"/> after a strict comparison.</summary>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict, string source)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(stateDict);
        var difference = Compare(module, stateDict);
        if (!difference.IsEmpty)
        {
            string what = module is DeblurNetwork net ? $"network '{net.RegistryName}'" : $"module '{module.GetName()}'";
            throw new MedDeblurException(
                $"{source} does not fit {what} (another architecture or other options?):{Environment.NewLine}{difference.Describe()}");
        }
        var target = module.state_dict();
        using var _ = no_grad();
        foreach (var (key, tensor) in stateDict)
            target[key].copy_(tensor);
    }

    /// <summary>Compares a state dictionary with a module's, key by key (names, shapes, dtypes).</summary>
    public static StateDictDifference Compare(nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(stateDict);
        var own = module.state_dict();
        var missing = own.Keys.Where(k => !stateDict.ContainsKey(k)).ToList();
        var unexpected = stateDict.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var mismatched = new List<string>();
        foreach (var (key, mine) in own)
        {
            if (!stateDict.TryGetValue(key, out var theirs)) continue;
            if (!mine.shape.SequenceEqual(theirs.shape) || mine.dtype != theirs.dtype)
                mismatched.Add($"{key}: file [{string.Join(", ", theirs.shape)}] {theirs.dtype}, " +
                               $"network [{string.Join(", ", mine.shape)}] {mine.dtype}");
        }
        return new StateDictDifference(missing, unexpected, mismatched);
    }
}
