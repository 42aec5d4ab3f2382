using MedDeblur.Configuration;
using MedDeblur.Inference;
using MedDeblur.Networks;
using MedDeblur.Training;
using static TorchSharp.torch;

namespace MedDeblur.Evaluation;

/// <summary>
/// The rows of an evaluation, built the same way wherever one is made (the <c>evaluate</c> verb, the reproduce pipeline,
/// the notebooks): the blurry input first, then trained networks loaded from checkpoints (labelled with the registry's
/// display names), then optionally the oracle rows. Owns the networks it loads.
/// </summary>
public sealed class DeblurMethodSet : IDisposable
{
    private readonly List<IDeblurMethod> methods = [new BlurryInput()];
    private readonly List<DeblurNetwork> networks = [];
    private readonly Device device;

    /// <summary>Creates a set that holds the blurry input; networks run on <paramref name="device"/>.</summary>
    public DeblurMethodSet(Device device) => this.device = device;

    /// <summary>Every row, in table order.</summary>
    public IReadOnlyList<IDeblurMethod> Methods => methods;

    /// <summary>The row labels, in table order.</summary>
    public IReadOnlyList<string> Names => methods.Select(m => m.Name).ToArray();

    /// <summary>
    /// Loads the network of <paramref name="checkpoint"/> (a kit checkpoint or PyTorch weights) as a row labelled with the
    /// registry's display name, or what <paramref name="label"/> makes of it; tiled as <paramref name="tiles"/> (default:
    /// as the checkpoint's own options say), restoring each image as the mean of its 8 flipped and rotated views when
    /// <paramref name="selfEnsemble"/> is set. Returns the checkpoint's header. A label that another row already has is
    /// refused (rows and their output folders are keyed by label, so two such rows would merge).
    /// </summary>
    public CheckpointHeader AddNetwork(string checkpoint, Func<string, string>? label = null, TileOptions? tiles = null, bool selfEnsemble = false)
    {
        var (network, header) = Checkpoint.LoadNetwork(checkpoint);
        networks.Add(network);
        if (tiles is null)
        {
            var evaluation = RunOptions.Parse(header.Options.ToJsonString(), checkpoint).Evaluation;
            tiles = new TileOptions { TileSize = evaluation.TileSize, Overlap = evaluation.TileOverlap };
        }
        string name = NetworkRegistry.DisplayName(header.Model);
        name = label?.Invoke(name) ?? name;
        if (Names.Contains(name))
        {
            networks.Remove(network);
            network.Dispose();
            throw new InvalidOperationException($"{checkpoint}: a row named '{name}' is already in the table; give each checkpoint its own label");
        }
        methods.Add(new NetworkMethod(name, new Deblurrer(network, device, tiles, selfEnsemble)));
        return header;
    }

    /// <summary>Adds the rows that are told the true kernel: Wiener and Richardson-Lucy with <paramref name="richardsonLucyIterations"/>.</summary>
    public void AddOracles(int richardsonLucyIterations = 30) =>
        methods.AddRange([new WienerOracle(), new RichardsonLucyOracle(richardsonLucyIterations)]);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var network in networks) network.Dispose();
        networks.Clear();
    }
}
