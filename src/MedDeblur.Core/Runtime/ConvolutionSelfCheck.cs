using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedDeblur.Runtime;

/// <summary>
/// One convolution the self-check runs: the channel counts, kernel and stride of a layer class the kit's networks, blur
/// simulator or metrics use.
/// </summary>
/// <param name="Name">Where the kit uses such a layer.</param>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="KernelHeight">Kernel height.</param>
/// <param name="KernelWidth">Kernel width.</param>
/// <param name="Stride">Stride (both directions).</param>
/// <param name="Transposed">A transposed convolution (decoder up-sampling; stride 2, output padding 1).</param>
/// <param name="Depthwise">One group per channel, forward only (the blur simulator).</param>
/// <param name="Backward">Check the input and weight gradients too.</param>
/// <param name="Bias">The layer has a bias (dense layers have none).</param>
public sealed record ConvolutionCase(string Name, int InChannels, int OutChannels, int KernelHeight, int KernelWidth,
                                     int Stride = 1, bool Transposed = false, bool Depthwise = false, bool Backward = true,
                                     bool Bias = true)
{
    /// <summary>A compact description, e.g. <c>conv 40->8 k3x3 s1</c>.</summary>
    public override string ToString() =>
        $"{(Transposed ? "deconv" : Depthwise ? "depthwise conv" : "conv")} {InChannels}->{OutChannels} k{KernelHeight}x{KernelWidth} s{Stride}";
}

/// <summary>What one case gave on one path: the largest relative errors against the float64 reference.</summary>
/// <param name="Case">The convolution.</param>
/// <param name="Output">max |y32 - y64| / max |y64| of the output.</param>
/// <param name="InputGradient">The same for the input gradient (0 when not checked).</param>
/// <param name="WeightGradient">The same for the weight gradient (0 when not checked).</param>
public sealed record ConvolutionCaseResult(ConvolutionCase Case, double Output, double InputGradient, double WeightGradient)
{
    /// <summary>Largest relative error a correct float32 convolution stays below (measured: about 1e-6).</summary>
    public const double Tolerance = 1e-4;

    /// <summary>All three errors are finite and below <see cref="Tolerance"/>.</summary>
    public bool Correct => Ok(Output) && Ok(InputGradient) && Ok(WeightGradient);

    private static bool Ok(double e) => double.IsFinite(e) && e < Tolerance;

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Case}: output {Output:0.0e+0}, input gradient {InputGradient:0.0e+0}, weight gradient {WeightGradient:0.0e+0}");
}

/// <summary>The check of one <see cref="ConvolutionPath"/>: every case's errors.</summary>
/// <param name="Path">The path checked.</param>
/// <param name="Cases">One result per case.</param>
public sealed record ConvolutionPathCheck(ConvolutionPath Path, IReadOnlyList<ConvolutionCaseResult> Cases)
{
    /// <summary>Every case is correct.</summary>
    public bool Correct => Cases.All(c => c.Correct);

    /// <summary>The wrong cases.</summary>
    public IEnumerable<ConvolutionCaseResult> Wrong => Cases.Where(c => !c.Correct);

    /// <summary>e.g. <c>OneDnn: 9 of 20 cases wrong (conv 32->8 k3x3 s1: input gradient 3.5e-1, ...)</c>.</summary>
    public string Summary() => Correct
        ? $"{ConvolutionSelfCheck.Name(Path)}: correct ({Cases.Count} cases)"
        : $"{ConvolutionSelfCheck.Name(Path)}: {Wrong.Count()} of {Cases.Count} cases wrong (first: {Wrong.First()})";
}

/// <summary>The outcome of the start-up convolution self-check, as <c>meddeblur info</c>, run folders and notebooks show it.</summary>
/// <param name="Chosen">The path in use.</param>
/// <param name="Correct">Whether <see cref="Chosen"/> passed the check (false: training and evaluation refuse).</param>
/// <param name="Forced">The path was forced by <c>MEDDEBLUR_CONVOLUTION</c>.</param>
/// <param name="FromCache">The verdict came from the per-machine cache instead of a fresh check.</param>
/// <param name="Checks">The paths checked, in the order tried (empty when read from the cache).</param>
/// <param name="Milliseconds">Time the check took.</param>
/// <param name="Machine">The CPU and LibTorch the verdict belongs to.</param>
public sealed record ConvolutionCheckResult(ConvolutionPath Chosen, bool Correct, bool Forced, bool FromCache,
                                            IReadOnlyList<string> Checks, double Milliseconds, string Machine)
{
    /// <summary>One line: the chosen path and why.</summary>
    public override string ToString()
    {
        string how = Forced ? "forced by MEDDEBLUR_CONVOLUTION" : FromCache ? "cached verdict of the self-check" : "self-check";
        string verdict = Correct ? "correct" : Forced ? "WRONG NUMBERS, used because it was forced" : "WRONG NUMBERS: training and evaluation refuse";
        string detail = Checks.Count > 0 ? "; " + string.Join("; ", Checks) : "";
        return $"{ConvolutionSelfCheck.Name(Chosen)} ({how}, {verdict}){detail}";
    }
}

/// <summary>
/// A start-up numerical self-check of LibTorch's CPU convolutions, as NumPy checks for a broken BLAS. Forward and
/// backward passes of the layer classes the kit uses (<see cref="Cases"/>) run in float32 on the configured threads and
/// are compared with float64 results, which LibTorch computes without oneDNN (im2col and BLAS): an independent path.
/// Paths are tried fastest first (<see cref="ConvolutionPath.OneDnn"/>, <see cref="ConvolutionPath.ChannelPadded"/>,
/// <see cref="ConvolutionPath.Native"/>, as measured in environment/README.md) and the first correct one is used. The
/// verdict is cached per CPU, LibTorch version and thread count (<c>~/.cache/meddeblur/</c>).
/// <c>MEDDEBLUR_CONVOLUTION=onednn|padded|native</c> forces a path (checked and reported, never refused);
/// <c>MEDDEBLUR_CONVOLUTION_CACHE=0</c> re-checks at every start.
/// </summary>
public static class ConvolutionSelfCheck
{
    /// <summary>Bump when <see cref="Cases"/> or the paths change: cached verdicts of other versions are ignored.</summary>
    private const int Version = 3;

    /// <summary>The checked layer classes: dense layers (growth 4 and 8 on the smoke, quick and paper widths), attention, heads, encoder,
    /// ConvLSTM, decoder, the baselines' and the downstream U-Net's layers, the blur simulator and the SSIM window.</summary>
    public static IReadOnlyList<ConvolutionCase> Cases { get; } =
    [
        new("dense layer", 4, 4, 3, 3, Bias: false), new("dense layer", 12, 8, 3, 3, Bias: false),
        new("dense layer", 20, 8, 3, 3, Bias: false), new("dense layer", 24, 8, 3, 3, Bias: false),
        new("dense layer", 32, 8, 3, 3, Bias: false), new("dense layer", 40, 8, 3, 3, Bias: false),
        new("dense layer", 48, 8, 3, 3, Bias: false), new("dense layer", 72, 8, 3, 3, Bias: false),
        new("dense layer", 136, 8, 3, 3, Bias: false), new("dense fusion", 56, 32, 1, 1),
        new("attention square", 32, 32, 9, 9), new("attention vertical", 32, 32, 3, 1), new("attention horizontal", 32, 32, 1, 3),
        new("attention map", 2, 1, 9, 9), new("input block", 3, 32, 5, 5), new("encoder", 32, 64, 5, 5, Stride: 2),
        new("ConvLSTM", 48, 64, 5, 5), new("output block", 32, 3, 5, 5), new("decoder", 64, 32, 5, 5, Stride: 2, Transposed: true),
        new("DnCNN", 3, 16, 3, 3), new("DnCNN", 16, 16, 3, 3), new("DnCNN", 16, 3, 3, 3), new("1x1 head", 24, 12, 1, 1),
        new("U-Net up-sampling", 32, 16, 2, 2, Stride: 2, Transposed: true),
        new("blur simulator", 6, 6, 15, 15, Depthwise: true, Backward: false), new("SSIM window", 1, 1, 11, 1, Backward: false),
    ];

    /// <summary>The verdict of the last <see cref="Apply"/>, or null before start-up.</summary>
    public static ConvolutionCheckResult? Result { get; private set; }

    /// <summary>A readable name of a path.</summary>
    public static string Name(ConvolutionPath path) => path switch
    {
        ConvolutionPath.OneDnn => "oneDNN",
        ConvolutionPath.ChannelPadded => "oneDNN with channel padding",
        _ => "LibTorch native (oneDNN off)",
    };

    /// <summary>
    /// Chooses and applies the convolution path (forced, cached or checked, see the class summary). Called once by
    /// <see cref="TorchRuntime.Initialize"/>.
    /// </summary>
    public static ConvolutionCheckResult Apply()
    {
        var clock = Stopwatch.StartNew();
        string machine = MachineKey();
        string? forced = Environment.GetEnvironmentVariable("MEDDEBLUR_CONVOLUTION")?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(forced) && forced != "auto")
        {
            var path = Parse(forced);
            Convolutions.Use(path);
            var check = Check(path);
            return Result = new ConvolutionCheckResult(path, check.Correct, true, false, [check.Summary()], clock.Elapsed.TotalMilliseconds, machine);
        }
        if (ReadCache(machine) is ConvolutionPath cached)
        {
            Convolutions.Use(cached);
            return Result = new ConvolutionCheckResult(cached, true, false, true, [], clock.Elapsed.TotalMilliseconds, machine);
        }
        var checks = new List<string>();
        foreach (var path in Enum.GetValues<ConvolutionPath>())
        {
            Convolutions.Use(path);
            var check = Check(path);
            checks.Add(check.Summary());
            if (!check.Correct) continue;
            WriteCache(machine, path);
            return Result = new ConvolutionCheckResult(path, true, false, false, checks, clock.Elapsed.TotalMilliseconds, machine);
        }
        Convolutions.Use(ConvolutionPath.Native);
        return Result = new ConvolutionCheckResult(ConvolutionPath.Native, false, false, false, checks, clock.Elapsed.TotalMilliseconds, machine);
    }

    /// <summary>Runs every case of <see cref="Cases"/> on <paramref name="path"/> (which is left active) and reports the errors.</summary>
    public static ConvolutionPathCheck Check(ConvolutionPath path)
    {
        Convolutions.Use(path);
        return new ConvolutionPathCheck(path, Cases.Select(Run).ToArray());
    }

    /// <summary>
    /// Runs one case through <see cref="Convolutions.Conv2d"/> (transposed cases through <c>conv_transpose2d</c>) in float32
    /// and in float64 on the same seeded data (batch 2, 12x14 pixels, so that LibTorch takes its oneDNN path) and returns the
    /// relative errors.
    /// </summary>
    public static ConvolutionCaseResult Run(ConvolutionCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(1234, CPU);
        int h = c.Transposed ? 6 : 12, w = c.Transposed ? 7 : 14;
        var x = randn([2, c.InChannels, h, w], dtype: float64, generator: generator);
        long[] weightShape = c.Transposed ? [c.InChannels, c.OutChannels, c.KernelHeight, c.KernelWidth]
            : c.Depthwise ? [c.OutChannels, 1, c.KernelHeight, c.KernelWidth]
            : [c.OutChannels, c.InChannels, c.KernelHeight, c.KernelWidth];
        var weight = randn(weightShape, dtype: float64, generator: generator) * 0.1;
        var bias = c.Bias ? randn([c.OutChannels], dtype: float64, generator: generator) : null;
        var (y32, dx32, dw32) = Pass(c, x.to(float32), weight.to(float32), bias?.to(float32));
        var (y64, dx64, dw64) = Pass(c, x, weight, bias);
        return new ConvolutionCaseResult(c, Error(y32, y64),
            c.Backward ? Error(dx32!, dx64!) : 0, c.Backward ? Error(dw32!, dw64!) : 0);
    }

    private static (Tensor Output, Tensor? InputGradient, Tensor? WeightGradient) Pass(ConvolutionCase c, Tensor x, Tensor weight, Tensor? bias)
    {
        x = x.detach().requires_grad_(c.Backward);
        weight = weight.detach().requires_grad_(c.Backward);
        long[] padding = [c.KernelHeight / 2, c.KernelWidth / 2], stride = [c.Stride, c.Stride];
        var y = c.Transposed
            ? F.conv_transpose2d(x, weight, bias, stride, padding, [1, 1])
            : Convolutions.Conv2d(x, weight, bias, stride, padding, groups: c.Depthwise ? c.InChannels : 1);
        if (!c.Backward) return (y.detach(), null, null);
        // A fixed, non-uniform output gradient: every output element weighs differently.
        var gradient = linspace(-1, 1, y.numel(), dtype: y.dtype).reshape(y.shape);
        y.backward([gradient]);
        return (y.detach(), x.grad!, weight.grad!);
    }

    private static double Error(Tensor value, Tensor reference)
    {
        double scale = reference.abs().max().item<double>();
        return (value.to(float64) - reference).abs().max().item<double>() / Math.Max(scale, 1e-12);
    }

    private static ConvolutionPath Parse(string value) => value switch
    {
        "onednn" => ConvolutionPath.OneDnn,
        "padded" => ConvolutionPath.ChannelPadded,
        "native" => ConvolutionPath.Native,
        _ => throw new MedDeblurException($"MEDDEBLUR_CONVOLUTION='{value}' is not one of auto, onednn, padded, native"),
    };

    /// <summary>The CPU as /proc/cpuinfo names it (vendor, family, model, model name), or the architecture elsewhere.</summary>
    public static string CpuModel() => CpuInfo(withFlags: false);

    /// <summary>CPU model and feature flags, LibTorch version, threads and check version: what a verdict depends on.</summary>
    private static string MachineKey() => $"{CpuInfo(withFlags: true)}; LibTorch {__version__}; {get_num_threads()} threads; check v{Version}";

    private static string CpuInfo(bool withFlags)
    {
        string cpu = $"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}";
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var lines = File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0).ToArray();
                string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
                cpu = $"{Field("vendor_id")} family {Field("cpu family")} model {Field("model")} ({Field("model name")})";
                if (withFlags) cpu += $", flags {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Field("flags"))))[..12]}";
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return cpu;
    }

    private static string CacheFile()
    {
        string root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "meddeblur", "convolution-check.json");
    }

    private static bool CacheEnabled => Environment.GetEnvironmentVariable("MEDDEBLUR_CONVOLUTION_CACHE") != "0";

    private static ConvolutionPath? ReadCache(string machine)
    {
        if (!CacheEnabled) return null;
        try
        {
            var entries = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(CacheFile()));
            return entries is not null && entries.TryGetValue(machine, out var value) && Enum.TryParse<ConvolutionPath>(value, out var path)
                ? path : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private static void WriteCache(string machine, ConvolutionPath path)
    {
        if (!CacheEnabled) return;
        try
        {
            string file = CacheFile();
            Dictionary<string, string> entries = [];
            if (File.Exists(file))
            {
                try { entries = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file)) ?? []; }
                catch (JsonException) { }
            }
            entries[machine] = path.ToString();
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            AtomicFile.WriteAllText(file, JsonSerializer.Serialize(entries, JsonDefaults.Indented));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only home: the check simply runs again at the next start.
        }
    }
}
