using System.Security.Cryptography;
using System.Text;
using MedDeblur.Imaging;

namespace MedDeblur.Inference;

/// <summary>Which part of a folder this process handles: shard <c>Index</c> of <c>Count</c> (cluster job arrays).</summary>
/// <param name="Index">0-based shard index.</param>
/// <param name="Count">Number of shards.</param>
public sealed record Shard(int Index, int Count)
{
    /// <summary>All files.</summary>
    public static Shard All { get; } = new(0, 1);

    /// <summary>Whether a file belongs to this shard: SHA-256 of its relative path modulo the count, so the assignment does
    /// not change when other files are added or removed.</summary>
    public bool Contains(string relativePath) =>
        Count == 1 || (int)(BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(relativePath)), 0) % (ulong)Count) == Index;
}

/// <summary>The outcome for one input of a batch job.</summary>
/// <param name="Input">The input.</param>
/// <param name="OutputPath">Where the result is (or would be).</param>
/// <param name="Status">written, skipped (output exists) or failed.</param>
/// <param name="Error">Why it failed, or null.</param>
public sealed record BatchItemResult(InputImage Input, string OutputPath, string Status, string? Error);

/// <summary>
/// Deblurs many files: each output keeps the input's bit depth, channel count and alpha (TIFF stays TIFF, everything else
/// is written as PNG) under the output folder at the same relative path; outputs are written atomically, never over an
/// input; a file whose output exists is skipped (re-running resumes); a file that fails to load, to deblur or to be written
/// is reported and skipped, and the batch goes on. Inputs inside the output folder (earlier outputs) are never taken.
/// </summary>
public static class BatchDeblur
{
    /// <summary>The output path of an input: PNG and TIFF inputs keep their name; any other format gets ".png" appended to
    /// its full name (<c>a.jpg</c> → <c>a.jpg.png</c>), so <c>a.jpg</c> and <c>a.png</c> never share an output.</summary>
    public static string OutputPath(string outputFolder, InputImage input)
    {
        bool kept = Path.GetExtension(input.RelativePath).ToLowerInvariant() is ".png" or ".tif" or ".tiff";
        return Path.GetFullPath(Path.Combine(outputFolder, kept ? input.RelativePath : input.RelativePath + ".png"));
    }

    /// <summary>Runs the job over the inputs of <paramref name="shard"/>.</summary>
    public static IReadOnlyList<BatchItemResult> Run(IReadOnlyList<InputImage> inputs, string outputFolder, Deblurrer deblurrer,
        Shard? shard = null, Action<BatchItemResult>? progress = null, ImageReadOptions? readOptions = null)
    {
        shard ??= Shard.All;
        // earlier outputs are never inputs: an output folder inside the input folder is left out
        inputs = ImageFiles.WithoutOutputs(inputs, outputFolder);
        var inputPaths = inputs.Select(i => Path.GetFullPath(i.FullPath)).ToHashSet(StringComparer.Ordinal);
        // over all inputs, not the shard's, so every shard sees the same clashes (e.g. a.jpg next to a file named a.jpg.png)
        var claimants = inputs.GroupBy(i => OutputPath(outputFolder, i), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Select(i => i.RelativePath).ToArray(), StringComparer.OrdinalIgnoreCase);
        var results = new List<BatchItemResult>();
        foreach (var input in inputs.Where(i => shard.Contains(i.RelativePath)))
        {
            string output = OutputPath(outputFolder, input);
            BatchItemResult result;
            if (inputPaths.Contains(output))
                result = new BatchItemResult(input, output, "failed", $"the output {output} would overwrite an input; choose another output folder");
            else if (claimants[output] is { Length: > 1 } clash)
                result = new BatchItemResult(input, output, "failed", $"{string.Join(" and ", clash)} would all be written to {output}; rename one of them");
            else if (File.Exists(output))
                result = new BatchItemResult(input, output, "skipped", null);
            else
            {
                string stage = "read";
                try
                {
                    using var scope = TorchSharp.torch.NewDisposeScope();
                    using var image = ImageIO.Read(input.FullPath, readOptions);
                    stage = "deblur";
                    var restored = deblurrer.Deblur(image.Pixels);
                    stage = "write";
                    ImageIO.Write(output, restored, image.Alpha, image.BitDepth);
                    result = new BatchItemResult(input, output, "written", null);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // one bad file never stops the batch: reported, skipped, counted
                    result = new BatchItemResult(input, output, "failed", BatchFailure.Describe(e, stage, input.FullPath, output));
                }
            }
            results.Add(result);
            progress?.Invoke(result);
        }
        return results;
    }
}
