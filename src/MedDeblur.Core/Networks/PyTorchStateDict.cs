using MedDeblur.Imaging;
using System.Collections;
using System.IO.Compression;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MedDeblur.Networks;

/// <summary>What a PyTorch checkpoint holds, as far as the kit uses it.</summary>
/// <param name="Model">Registry name of the network the state dictionary belongs to: <c>meddeblur</c> or <c>srn</c>.</param>
/// <param name="Options">Network options read from the tensor shapes (widths, blocks, kernel sizes, ...).</param>
/// <param name="Step">The <c>step</c> entry of the checkpoint, when it has one (the official checkpoint does).</param>
/// <param name="Entry">Where the state dictionary was found: <c>stateDictEG</c> (the official checkpoint dict),
/// <c>state_dict</c>, <c>model</c>, or <c>(top level)</c> for a plain <c>torch.save(model.state_dict())</c>.</param>
public sealed record PyTorchCheckpointInfo(string Model, NetworkOptions Options, int? Step, string Entry);

/// <summary>
/// Loads networks from PyTorch <c>torch.save</c> files (the zip format of PyTorch 1.6 and later), read with
/// TorchSharp.PyBridge: the authors' checkpoint <c>MedDeblur_checkpoint.pth</c> of sharif-apu/MedDeblur (a dict with
/// <c>step</c>, <c>stateDictEG</c>, <c>optimizerEG</c>, <c>schedulerLR</c>; the optimizer state is read and dropped) and
/// SRN-DeblurNet state dictionaries of iwtw/SRN-DeblurNet (<c>torch.save(model.state_dict())</c>). The kit's parameter
/// names are the official ones, so the tensors load 1:1. The network and its options are recognised from the key names
/// and tensor shapes (<see cref="Identify"/>): <c>meddeblur</c> (RDB blocks with spatial-asymmetric attention, tanh
/// output) or <c>srn</c> (plain 5x5 ResBlocks, no attention, raw output), at any widths; both take data in [-1, 1] and 3
/// scales, as the official code. A <c>module.</c> prefix (weights saved from <c>nn.DataParallel</c>) is removed and
/// floating-point tensors of another precision are converted to float32. Loading is strict: a state dictionary of
/// another network, a truncated or damaged file, a pickled model object or the legacy pre-1.6 format raise a
/// <see cref="MedDeblurException"/> that names the file and the problem.
/// </summary>
public static class PyTorchStateDict
{
    /// <summary>Value of the checkpoint header's format for networks loaded from a PyTorch file.</summary>
    public const string FormatName = "pytorch-state-dict";

    private static readonly string[] StateDictEntries = ["stateDictEG", "state_dict", "model", "net"];

    /// <summary>
    /// True when <paramref name="path"/> starts like a <c>torch.save</c> file: a zip archive (PyTorch 1.6+) or a pickle
    /// (the legacy format, which <see cref="Read"/> refuses with an explanation).
    /// </summary>
    public static bool IsPyTorchFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (FileSystemFacts.KindOf(path) != FileKind.Regular) return false; // never open a FIFO or device
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        int n = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (n < 2) return false;
        bool zip = n == 4 && head[0] == 0x50 && head[1] == 0x4B && head[2] == 0x03 && head[3] == 0x04;
        bool pickle = head[0] == 0x80 && head[1] is >= 2 and <= 5;
        return zip || pickle;
    }

    /// <summary>
    /// Reads the network state dictionary of a PyTorch file onto the CPU (float32), with the checkpoint's step if it
    /// records one. The caller owns (disposes) the tensors.
    /// </summary>
    /// <exception cref="MedDeblurException">Missing, truncated or damaged file, legacy format, no state dictionary.</exception>
    public static (Dictionary<string, Tensor> StateDict, int? Step, string Entry) Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new MedDeblurException($"{path}: the file does not exist.");
        Hashtable top = Unpickle(path);
        var kept = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        try
        {
            var (table, entry) = FindStateDict(top, path);
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (DictionaryEntry item in table)
            {
                if (item.Key is not string key || item.Value is not Tensor tensor) continue;
                var value = tensor.is_floating_point() && tensor.dtype != ScalarType.Float32 ? tensor.to(ScalarType.Float32) : tensor;
                kept.Add(value);
                result[key] = value;
            }
            if (result.Count == 0) throw new MedDeblurException($"{path}: the state dictionary '{entry}' holds no tensors.");
            if (result.Keys.All(k => k.StartsWith("module.", StringComparison.Ordinal)))
                result = result.ToDictionary(p => p.Key["module.".Length..], p => p.Value, StringComparer.Ordinal);
            int? step = top["step"] switch
            {
                int i => i,
                long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
                _ => null,
            };
            return (result, step, entry);
        }
        catch
        {
            kept.Clear();
            throw;
        }
        finally
        {
            DisposeTensors(top, kept, new HashSet<object>(ReferenceEqualityComparer.Instance));
        }
    }

    /// <summary>
    /// Recognises the network of a state dictionary from its key names and tensor shapes and returns its registry name
    /// and options (widths, blocks per stage, dense layers and growth, SE reduction, kernel sizes; 3 scales and data in
    /// [-1, 1], as the official code).
    /// </summary>
    /// <exception cref="MedDeblurException">The keys are not those of MedDeblur or SRN-DeblurNet (the message names
    /// <paramref name="source"/> and shows some of the keys).</exception>
    public static (string Model, NetworkOptions Options) Identify(IReadOnlyDictionary<string, long[]> shapes, string source)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        long[] Shape(string key) => shapes.TryGetValue(key, out var s) ? s
            : throw new MedDeblurException(
                $"{source}: not a state dictionary of MedDeblur or SRN-DeblurNet (no tensor '{key}'; it has {shapes.Count} tensors: " +
                $"{string.Join(", ", shapes.Keys.Order(StringComparer.Ordinal).Take(6))}{(shapes.Count > 6 ? ", ..." : "")}).");
        int Count(string prefix, string suffix)
        {
            int n = 0;
            while (shapes.ContainsKey($"{prefix}{n}{suffix}")) n++;
            return n;
        }

        var inConv = Shape("inblock.conv.0.weight");
        if (inConv.Length != 4) throw new MedDeblurException($"{source}: 'inblock.conv.0.weight' has shape [{string.Join(", ", inConv)}], not a 2-d convolution.");
        int w0 = (int)inConv[0], kernel = (int)inConv[2];
        int w1 = (int)Shape("eblock1.conv.0.weight")[0], w2 = (int)Shape("eblock2.conv.0.weight")[0];
        bool dense = shapes.ContainsKey("inblock.resblock_stack.0.dense_layers.0.conv.weight");
        bool residual = shapes.ContainsKey("inblock.resblock_stack.0.conv1.0.weight");
        bool attention = shapes.ContainsKey("inblock.sam.multikernelconv1.square_conv.weight");
        bool recurrent = shapes.ContainsKey("convlstm.conv.weight");
        int blocks = dense ? Count("inblock.resblock_stack.", ".conv_1x1.weight") : Count("inblock.resblock_stack.", ".conv1.0.weight");
        var options = new NetworkOptions
        {
            Widths = [w0, w1, w2],
            BlocksPerStage = Math.Max(1, blocks),
            Block = dense ? BlockKind.ResidualDense : BlockKind.Residual,
            KernelSize = kernel,
            Attention = attention,
            Recurrent = recurrent,
            Scales = inConv[1] == 6 ? 3 : 1,
            DataRange = DataRange.MinusOneToOne,
        };
        if (dense)
            options = options with
            {
                DenseLayers = Count("inblock.resblock_stack.0.dense_layers.", ".conv.weight"),
                GrowthRate = (int)Shape("inblock.resblock_stack.0.dense_layers.0.conv.weight")[0],
            };
        if (attention)
        {
            long hidden = Shape("inblock.sam.multikernelconv1.depth.fc.0.weight")[0];
            options = options with { SeReduction = hidden > 0 ? (int)(w0 / hidden) : 0 };
        }
        if (recurrent) options = options with { LstmKernel = (int)Shape("convlstm.conv.weight")[2] };

        string? model = (dense, residual, attention, recurrent, options.Scales) switch
        {
            (true, false, true, true, 3) => "meddeblur",
            (false, true, false, true, 3) => "srn",
            _ => null,
        };
        if (model is null)
            throw new MedDeblurException(
                $"{source}: a state dictionary with {(dense ? "residual dense" : residual ? "residual" : "unknown")} blocks, " +
                $"{(attention ? "with" : "without")} attention, {(recurrent ? "with" : "without")} a ConvLSTM and {inConv[1]} input " +
                "channels; the kit loads PyTorch weights of MedDeblur (official sharif-apu/MedDeblur) and SRN-DeblurNet " +
                "(iwtw/SRN-DeblurNet) only.");
        try
        {
            options.Validate("options read from the tensor shapes: ");
        }
        catch (MedDeblurException e)
        {
            throw new MedDeblurException($"{source}: {e.Message}", e);
        }
        return (model, options);
    }

    /// <summary>
    /// Builds the network a PyTorch file holds (<see cref="Identify"/>) and loads its weights strictly
    /// (<see cref="WeightsFile.Load(nn.Module, IReadOnlyDictionary{string, Tensor}, string)"/>).
    /// </summary>
    /// <exception cref="MedDeblurException">The file cannot be read or holds no MedDeblur / SRN-DeblurNet weights.</exception>
    public static (DeblurNetwork Network, PyTorchCheckpointInfo Info) LoadNetwork(string path)
    {
        var (stateDict, step, entry) = Read(path);
        try
        {
            var (model, options) = Identify(stateDict.ToDictionary(p => p.Key, p => p.Value.shape), path);
            var network = NetworkRegistry.Create(model, options);
            try
            {
                WeightsFile.Load(network, stateDict, path);
                network.eval();
                return (network, new PyTorchCheckpointInfo(model, options, step, entry));
            }
            catch
            {
                network.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var t in stateDict.Values) t.Dispose();
        }
    }

    private static Hashtable Unpickle(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        int n = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (n == 0) throw new MedDeblurException($"{path}: the file is empty.");
        if (n >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5)
            throw new MedDeblurException(
                $"{path}: a PyTorch file in the legacy format of PyTorch before 1.6, which the kit does not read; " +
                "load it in PyTorch and save it again with torch.save (PyTorch 1.6 or later).");
        if (n < 4 || head[0] != 0x50 || head[1] != 0x4B || head[2] != 0x03 || head[3] != 0x04)
            throw new MedDeblurException($"{path}: not a PyTorch file (torch.save writes a zip archive; this file does not start like one).");
        stream.Position = 0;
        object? top;
        try
        {
            top = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new MedDeblurException($"{path}: the PyTorch file is truncated or damaged ({e.Message}).", e);
        }
        catch (EndOfStreamException e)
        {
            throw new MedDeblurException($"{path}: the PyTorch file is truncated ({e.Message}).", e);
        }
        catch (NotImplementedException e)
        {
            throw new MedDeblurException($"{path}: the PyTorch file holds something the kit cannot read ({e.Message}); save the model's state_dict().", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not MedDeblurException)
        {
            throw new MedDeblurException($"{path}: the PyTorch file cannot be read ({e.GetType().Name}: {e.Message}).", e);
        }
        return top as Hashtable
            ?? throw new MedDeblurException($"{path}: the PyTorch file holds a {top?.GetType().Name ?? "None"}, not a dict.");
    }

    private static (Hashtable Table, string Entry) FindStateDict(Hashtable top, string path)
    {
        foreach (var name in StateDictEntries)
            if (top[name] is Hashtable inner && inner.Values.OfType<Tensor>().Any()) return (inner, name);
        if (top.Values.OfType<Tensor>().Any()) return (top, "(top level)");
        var keys = top.Keys.Cast<object>().Select(k => k?.ToString() ?? "None").Order(StringComparer.Ordinal).Take(8);
        throw new MedDeblurException(
            $"{path}: no network state dictionary in the PyTorch file (looked for {string.Join(", ", StateDictEntries.Select(e => $"'{e}'"))} " +
            $"and for tensors at the top level; its keys: {string.Join(", ", keys)}).");
    }

    /// <summary>Disposes every tensor reachable from <paramref name="value"/> except those in <paramref name="keep"/>.</summary>
    private static void DisposeTensors(object? value, HashSet<Tensor> keep, HashSet<object> seen)
    {
        switch (value)
        {
            case null:
                return;
            case Tensor t:
                if (!keep.Contains(t)) t.Dispose();
                return;
            case string:
                return;
        }
        if (!seen.Add(value)) return;
        switch (value)
        {
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary) DisposeTensors(entry.Value, keep, seen);
                break;
            case IEnumerable sequence:
                foreach (var item in sequence) DisposeTensors(item, keep, seen);
                break;
        }
    }
}
