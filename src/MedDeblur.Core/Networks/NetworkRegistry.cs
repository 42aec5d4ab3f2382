using MedDeblur.Networks.Baselines;
using TorchSharp;

namespace MedDeblur.Networks;

/// <summary>The tables a network has a row in.</summary>
[Flags]
public enum NetworkRoles
{
    /// <summary>In no table.</summary>
    None = 0,

    /// <summary>Table 2, the comparison with the state of the art.</summary>
    Comparison = 1,

    /// <summary>Table 3, the ablation of MedDeblur's design.</summary>
    Ablation = 2,

    /// <summary>One of the four baselines of Table 2 (not MedDeblur or a variant of it).</summary>
    Baseline = 4,
}

/// <summary>How the kit sizes a network from a preset's <see cref="NetworkOptions"/>.</summary>
public enum NetworkSizing
{
    /// <summary>From the encoder-decoder widths and blocks per stage (MedDeblur, its variants, SRN-Deblur).</summary>
    Widths,

    /// <summary>Its published size scaled by the baseline width and depth multipliers.</summary>
    BaselineMultipliers,
}

/// <summary>Everything about one registered network: its name and row label, its tables, what it is, where it comes from,
/// how the presets size it and its published size.</summary>
/// <param name="Name">Registry name (lower case, e.g. <c>meddeblur-sr</c>).</param>
/// <param name="Description">One line: what the network is.</param>
/// <param name="Citation">The paper (and the code followed).</param>
/// <param name="PublishedParameters">Parameter count of the original at its original size, where known.</param>
/// <param name="PublishedParametersSource">Where <paramref name="PublishedParameters"/> comes from.</param>
public sealed record NetworkInfo(
    string Name, string Description, string Citation, long? PublishedParameters, string PublishedParametersSource)
{
    /// <summary>The row label in tables and figures (the paper's names; ZhaoNet is the DnCNN it cites).</summary>
    public required string DisplayName { get; init; }

    /// <summary>The tables it has a row in.</summary>
    public required NetworkRoles Roles { get; init; }

    /// <summary>How a preset sizes it.</summary>
    public NetworkSizing Sizing { get; init; } = NetworkSizing.Widths;

    /// <summary>What an ablation variant adds to the one before it (Table 3's note column); null outside the ablation.</summary>
    public string? AblationNote { get; init; }

    /// <summary>True when the network has a row in the tables of <paramref name="role"/>.</summary>
    public bool Has(NetworkRoles role) => (Roles & role) == role;

    /// <summary>Its size as configured by <paramref name="network"/>, for Table 4's size column.</summary>
    public string SizeNote(NetworkOptions network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var c = System.Globalization.CultureInfo.InvariantCulture;
        return Sizing == NetworkSizing.BaselineMultipliers
            ? string.Create(c, $"{network.Baselines.WidthMultiplier:0.###}x width, {network.Baselines.DepthMultiplier:0.###}x depth")
            : string.Create(c, $"widths {string.Join("/", network.Widths)}, {network.BlocksPerStage} block(s)/stage");
    }
}

/// <summary>
/// The one place that turns a name into a network, so training, evaluation, the CLI and notebooks never switch on
/// type names. Each name applies its switches to the given options (e.g. <c>meddeblur-base</c> forces plain residual
/// blocks, no attention, no recurrence and one scale) and keeps the rest (widths, data range, baseline sizes).
/// <c>meddeblur-sr</c> (ablation base + scale-recurrent) and <c>srn</c> (SRN-Deblur) build the same network, 10,250,723
/// parameters at the paper's widths, and differ only in the tanh on the finest output (meddeblur-sr has it); both require
/// at least two scales.
/// </summary>
public static class NetworkRegistry
{
    private sealed record Entry(NetworkInfo Info, Func<NetworkOptions, NetworkOptions> Switches,
        Func<string, NetworkOptions, DeblurNetwork> Build);

    private static readonly Entry[] Entries =
    [
        new(new NetworkInfo("meddeblur",
                "MedDeblur: scale-recurrent encoder-decoder with RD-SAM blocks (3 RDBs + spatial-asymmetric attention) and a ConvLSTM.",
                "Sharif et al., MedDeblur, Mathematics 11(1):115, 2023; code sharif-apu/MedDeblur",
                8_028_917, "official code, counted (notes 2.7); the paper's 24.1M is weights + Adam's two moment buffers")
            {
                DisplayName = "MedDeblur", Roles = NetworkRoles.Comparison | NetworkRoles.Ablation,
                AblationNote = "+ RD-SAM (residual dense blocks + spatial-asymmetric attention)",
            },
            o => o,
            (n, o) => new ScaleRecurrentNetwork(n, o, boundedOutput: true)),
        new(new NetworkInfo("meddeblur-base",
                "Ablation 'base' (paper Table 3): single-scale encoder-decoder with plain residual blocks; no RD-SAM, no recurrence.",
                "Sharif et al. 2023, Section 4.3 (ablation); blocks as SRN-DeblurNet",
                null, "not published (Table 3 gives no sizes)")
            {
                DisplayName = "Base", Roles = NetworkRoles.Ablation, AblationNote = "single scale, plain residual blocks, no RD-SAM",
            },
            o => o with { Block = BlockKind.Residual, Attention = false, Recurrent = false, Scales = 1 },
            (n, o) => new ScaleRecurrentNetwork(n, o, boundedOutput: true)),
        // meddeblur-sr and srn are the same network (SRN-DeblurNet: plain 5x5 ResBlocks, ConvLSTM, 3 scales, the same
        // weights and state-dict keys; 10,250,723 parameters at the paper widths); only meddeblur-sr has the tanh head.
        new(new NetworkInfo("meddeblur-sr",
                "Ablation 'base + scale-recurrent' (paper Table 3): the 3-scale ConvLSTM network with plain residual blocks, no RD-SAM; the srn network with MedDeblur's tanh head.",
                "Sharif et al. 2023, Section 4.3 (ablation); blocks as SRN-DeblurNet",
                null, "not published (Table 3 gives no sizes)")
            {
                DisplayName = "Base + scale-recurrent", Roles = NetworkRoles.Ablation, AblationNote = "+ 3 scales with a ConvLSTM carried between them",
            },
            o => ScaleRecurrent("meddeblur-sr", o),
            (n, o) => new ScaleRecurrentNetwork(n, o, boundedOutput: true)),
        new(new NetworkInfo("deepdeblur",
                "DeepDeblur: 3-scale coarse-to-fine residual network (19 ResBlocks of 5x5 convs, 64 features per scale).",
                "Nah, Kim, Lee, Deep Multi-scale CNN for Dynamic Scene Deblurring, CVPR 2017; code SeungjunNah/DeepDeblur-PyTorch",
                11_721_321, "layers of the authors' PyTorch reproduction (MSResNet defaults), counted")
            {
                DisplayName = "DeepDeblur", Roles = NetworkRoles.Comparison | NetworkRoles.Baseline, Sizing = NetworkSizing.BaselineMultipliers,
            },
            o => o,
            (n, o) => new DeepDeblurNetwork(n, o)),
        new(new NetworkInfo("srn",
                "SRN-Deblur: scale-recurrent network with three 5x5 ResBlocks per block and a ConvLSTM (MedDeblur's backbone); meddeblur-sr without the tanh head.",
                "Tao et al., Scale-recurrent Network for Deep Image Deblurring, CVPR 2018; PyTorch port iwtw/SRN-DeblurNet",
                10_250_723, "iwtw/SRN-DeblurNet, counted (notes 2.7)")
            {
                DisplayName = "SRN-Deblur", Roles = NetworkRoles.Comparison | NetworkRoles.Baseline,
            },
            o => ScaleRecurrent("srn", o),
            (n, o) => new ScaleRecurrentNetwork(n, o, boundedOutput: false)),
        new(new NetworkInfo("dncnn",
                "ZhaoNet of Table 2, cited with the DnCNN reference: residual DnCNN (17 layers, 64 features, batch norm).",
                "Zhang et al., Beyond a Gaussian Denoiser: Residual Learning of Deep CNN for Image Denoising, IEEE TIP 2017; code cszn/DnCNN",
                556_096, "grayscale DnCNN-S of cszn/DnCNN dncnn_pytorch, counted (558,400 with 3 channels)")
            {
                DisplayName = "ZhaoNet (DnCNN)", Roles = NetworkRoles.Comparison | NetworkRoles.Baseline, Sizing = NetworkSizing.BaselineMultipliers,
            },
            o => o,
            (n, o) => new DnCnnNetwork(n, o)),
        new(new NetworkInfo("temimagenet",
                "TEMImageNet: AtomSegNet's 3-level U-Net (64/128/256 features, batch norm, sigmoid head).",
                "Lin et al., TEMImageNet training library and AtomSegNet deep-learning models, Sci. Rep. 11:5386, 2021; code xinhuolin/AtomSegNet",
                1_742_533, "released unet_sigmoid.UNet(colordim=1), counted (the paper states no count)")
            {
                DisplayName = "TEMImageNet", Roles = NetworkRoles.Comparison | NetworkRoles.Baseline, Sizing = NetworkSizing.BaselineMultipliers,
            },
            o => o,
            (n, o) => new TemImageNetwork(n, o)),
    ];

    /// <summary>Every registered network, in the order of the paper's tables (MedDeblur, ablations, baselines).</summary>
    public static IReadOnlyList<NetworkInfo> All { get; } = Entries.Select(e => e.Info).ToArray();

    /// <summary>The registered names.</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Info.Name).ToArray();

    /// <summary>The entry for <paramref name="name"/> (case-insensitive); unknown names list the known ones.</summary>
    public static NetworkInfo Describe(string name) => Find(name).Info;

    /// <summary>The row label of <paramref name="name"/> in tables and figures.</summary>
    public static string DisplayName(string name) => Find(name).Info.DisplayName;

    /// <summary>The networks with a row in the tables of <paramref name="role"/>, in the order of the paper's tables.</summary>
    public static IReadOnlyList<string> WithRole(NetworkRoles role) => All.Where(i => i.Has(role)).Select(i => i.Name).ToArray();

    /// <summary>The options a network of this name is actually built with: <paramref name="options"/> plus its switches.</summary>
    public static NetworkOptions EffectiveOptions(string name, NetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Find(name).Switches(options);
    }

    /// <summary>
    /// Creates the network <paramref name="name"/> from <paramref name="options"/> and initialises it from a generator
    /// seeded with <paramref name="seed"/> (the same seed gives the same weights).
    /// </summary>
    /// <exception cref="MedDeblurException">Unknown name (the message lists the known ones) or invalid options.</exception>
    public static DeblurNetwork Create(string name, NetworkOptions options, long seed = 0)
    {
        using var generator = new torch.Generator((ulong)seed);
        return Create(name, options, generator);
    }

    /// <summary>Creates the network <paramref name="name"/> and initialises it from <paramref name="generator"/>.</summary>
    public static DeblurNetwork Create(string name, NetworkOptions options, torch.Generator generator)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        Runtime.TorchRuntime.Initialize(); // the thread that builds a network usually runs it: flush its denormals too
        var entry = Find(name);
        var network = entry.Build(entry.Info.Name, entry.Switches(options));
        try
        {
            network.ResetParameters(generator);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        return network;
    }

    /// <summary>
    /// The switches of <c>meddeblur-sr</c> and <c>srn</c>: plain residual blocks, no attention, the ConvLSTM; they are
    /// scale-recurrent by definition, so fewer than two scales is an error rather than a quietly single-scale network.
    /// </summary>
    private static NetworkOptions ScaleRecurrent(string name, NetworkOptions options)
    {
        if (options.Scales < 2)
            throw new MedDeblurException(
                $"network.scales = {options.Scales}: '{name}' is scale-recurrent and needs at least 2 scales (3 in the paper); " +
                "the single-scale ablation is 'meddeblur-base'.");
        return options with { Block = BlockKind.Residual, Attention = false, Recurrent = true };
    }

    private static Entry Find(string name)
    {
        string key = (name ?? "").Trim().ToLowerInvariant();
        return Entries.FirstOrDefault(e => e.Info.Name == key)
            ?? throw new MedDeblurException(
                $"unknown network '{name}'; known networks: {string.Join(", ", Names)}.");
    }
}
