using MedDeblur.Imaging;
using MedDeblur.Networks;
using MedDeblur.Networks.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace MedDeblur.Analysis;

/// <summary>The spatial attention map of one RD-SAM block for one image.</summary>
/// <param name="Block">State-dict name of the attention module (e.g. <c>inblock.sam.multikernelconv1</c>).</param>
/// <param name="Map">F_V + F_H at the finest scale, [1, h, w], values in [0, 2].</param>
public sealed record AttentionMap(string Block, Tensor Map);

/// <summary>
/// Captures the spatial-asymmetric attention maps of a MedDeblur network on a real image: a forward pre-hook on every
/// attention module records its input at the finest scale, and the module's <see cref="MultiKernelConv.SpatialAttentionMap"/>
/// is evaluated on it.
/// </summary>
public static class AttentionMaps
{
    /// <summary>
    /// Runs <paramref name="network"/> on <paramref name="blurred"/> [C,H,W] (eval mode, no_grad; the training/eval mode is
    /// restored afterwards) and returns every attention map.
    /// </summary>
    public static IReadOnlyList<AttentionMap> Capture(DeblurNetwork network, Tensor blurred)
    {
        var modules = network.named_modules().Where(m => m.module is MultiKernelConv).Select(m => (m.name, (MultiKernelConv)m.module)).ToArray();
        if (modules.Length == 0) throw new MedDeblurException($"network '{network.RegistryName}' has no spatial-asymmetric attention modules");
        var inputs = new Dictionary<string, Tensor>();
        bool wasTraining = network.training;
        var hooks = modules.Select(m => m.Item2.register_forward_pre_hook((_, input) =>
        {
            if (inputs.TryGetValue(m.name, out var previous)) previous.Dispose();
            var kept = input.detach().clone();
            kept.DetachFromDisposeScope();
            inputs[m.name] = kept; // the last call is the finest scale
            return input;
        })).ToArray();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            network.eval();
            var device = network.parameters().First().device;
            network.call(ImageIO.ToRgb(blurred).unsqueeze(0).to(device));
            var maps = modules.Select(m => new AttentionMap(m.name, m.Item2.SpatialAttentionMap(inputs[m.name])[0].cpu().MoveToOuterDisposeScope())).ToArray();
            return maps;
        }
        finally
        {
            foreach (var h in hooks) h.remove();
            network.train(wasTraining);
            foreach (var t in inputs.Values) t.Dispose();
        }
    }
}
