using System.Text;
using MedDeblur.Fuzz;
using SharpFuzz;

// meddeblur-fuzz TARGET                  run under afl-fuzz (fuzz/run.sh does that)
// meddeblur-fuzz TARGET --make-seeds DIR  write the starting corpus of a target
// meddeblur-fuzz TARGET --replay FILE... run files once each and print what happened (crash triage, fixture checks)
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: MedDeblur.Fuzz {string.Join('|', FuzzTargets.All.Keys)} [--replay FILE...]");
    return 64;
}
if (args.Length > 1 && args[1] == "--replay")
{
    int crashes = 0;
    foreach (string file in args[2..])
    {
        try
        {
            string outcome = target(File.ReadAllBytes(file));
            Console.WriteLine($"ok      {file}: {outcome}");
        }
        catch (Exception e)
        {
            crashes++;
            Console.WriteLine($"CRASH   {file}: {e.GetType().FullName}: {e.Message.Split('\n')[0]}");
            if (Environment.GetEnvironmentVariable("MEDDEBLUR_DEBUG") == "1") Console.WriteLine(e);
        }
    }
    Console.WriteLine($"{args.Length - 2} file(s), {crashes} crash(es)");
    return crashes == 0 ? 0 : 1;
}
if (args.Length > 1 && args[1] == "--make-seeds")
{
    FuzzSeeds.Write(args[0], args[2]);
    return 0;
}
// nothing of the instrumented assemblies may run before Fuzzer.Run (their coverage map only exists inside it)
Fuzzer.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target(copy.ToArray());
});
return 0;

namespace MedDeblur.Fuzz
{
    using MedDeblur.Configuration;
    using MedDeblur.Imaging;
    using MedDeblur.Networks;
    using MedDeblur.Training;
    using TorchSharp;

    /// <summary>
    /// The fuzz targets: every parser that reads bytes from disk. The contract checked is the kit's own: bad input ends in
    /// a <see cref="MedDeblurException"/> (naming the file and the reason), never in any other exception, a hang or an
    /// unbounded allocation. Any other exception escapes and afl-fuzz records the input as a crash.
    /// </summary>
    internal static class FuzzTargets
    {
        /// <summary>Target name to target; each returns a one-word outcome for --replay.</summary>
        public static readonly IReadOnlyDictionary<string, Func<byte[], string>> All = new Dictionary<string, Func<byte[], string>>
        {
            ["image"] = Image,
            ["checkpoint"] = CheckpointResealed,
            ["checkpoint-sealed"] = CheckpointAsIs,
            ["options"] = Options,
        };

        /// <summary>The network and optimizer a checkpoint target loads into (the smoke-sized DnCNN, small and fast).</summary>
        public static (DeblurNetwork Network, TorchSharp.Modules.Adam Optimizer) Model()
        {
            if (network is null) WarmUp();
            return (network!, optimizer!);
        }

        private static ImageReadOptions? limits;
        private static readonly string Scratch = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(),
            $"meddeblur-fuzz-{Environment.ProcessId}.ckpt");
        private static DeblurNetwork? network;
        private static TorchSharp.Modules.Adam? optimizer;

        /// <summary>Creates what every execution shares (the network a checkpoint is loaded into), on the first execution.</summary>
        private static void WarmUp()
        {
            network = NetworkRegistry.Create("dncnn", Presets.Load("smoke").Network, 1);
            optimizer = torch.optim.Adam(network.parameters());
        }

        /// <summary><see cref="ImageIO.Decode"/>: PNG (8-bit via SkiaSharp, 16-bit by the kit), JPEG, BMP, WebP, TIFF.</summary>
        private static string Image(byte[] bytes)
        {
            try
            {
                using var scope = torch.NewDisposeScope();
                using var image = ImageIO.Decode(bytes, "fuzz-input", limits ??= new ImageReadOptions { MaxPixels = 4_000_000 });
                return $"decoded {image}";
            }
            catch (ImageLoadException e)
            {
                return $"refused: {e.Reason}";
            }
        }

        /// <summary>
        /// <see cref="Checkpoint.Load"/> with weights and optimizer state, after re-stamping the checksum trailer, so the
        /// mutations reach the header, weights and optimizer parsers instead of stopping at the checksum.
        /// </summary>
        private static string CheckpointResealed(byte[] bytes) => LoadCheckpoint(Reseal(bytes));

        /// <summary><see cref="Checkpoint.Load"/> on the bytes as they are (the checksum path).</summary>
        private static string CheckpointAsIs(byte[] bytes) => LoadCheckpoint(bytes);

        private static string LoadCheckpoint(byte[] bytes)
        {
            if (network is null) WarmUp();
            File.WriteAllBytes(Scratch, bytes);
            try
            {
                // what deblur/evaluate do before building the network: the header and its options
                var peek = Checkpoint.ReadHeader(Scratch);
                RunOptions.Parse(peek.Options.ToJsonString(), "header options");
                var header = Checkpoint.Load(Scratch, network!); // deblur, evaluate: weights only
                Checkpoint.Load(Scratch, network!, optimizer); // train --resume: weights and optimizer state
                return $"loaded step {header.Step} ({header.Integrity})";
            }
            catch (MedDeblurException e)
            {
                return $"refused: {e.Message}";
            }
        }

        /// <summary>Presets/options JSON through <see cref="Presets.Parse"/> (parse and validate).</summary>
        private static string Options(byte[] bytes)
        {
            try
            {
                var options = Presets.Parse(Encoding.UTF8.GetString(bytes), "fuzz-input.json");
                return $"parsed preset '{options.Name}'";
            }
            catch (MedDeblurException e)
            {
                return $"refused: {e.Message}";
            }
        }

        /// <summary>Replaces (or adds) the checksum trailer so the content is taken as intact.</summary>
        public static byte[] Reseal(byte[] bytes)
        {
            using var stream = new MemoryStream();
            bool sealedAlready = bytes.Length >= ContentChecksum.TrailerLength && bytes.AsSpan(bytes.Length - 40, 8).SequenceEqual("MDSHA256"u8);
            stream.Write(bytes, 0, sealedAlready ? bytes.Length - ContentChecksum.TrailerLength : bytes.Length);
            ContentChecksum.Append(stream);
            return stream.ToArray();
        }
    }
}
