using static TorchSharp.torch;

namespace MedDeblur.Networks;

/// <summary>Maps [0, 1] images into a network's <see cref="DataRange"/> and back.</summary>
public static class DataRangeExtensions
{
    /// <summary>[0, 1] to the network range: <c>x</c> or <c>2x - 1</c>.</summary>
    public static Tensor ToInternal(this DataRange range, Tensor image) => range switch
    {
        DataRange.ZeroToOne => image.alias(),
        DataRange.MinusOneToOne => image * 2 - 1,
        _ => throw new ArgumentOutOfRangeException(nameof(range), range, "unknown data range"),
    };

    /// <summary>Network range back to [0, 1]: <c>y</c> or <c>(y + 1) / 2</c>. No clamping.</summary>
    public static Tensor FromInternal(this DataRange range, Tensor output) => range switch
    {
        DataRange.ZeroToOne => output.alias(),
        DataRange.MinusOneToOne => (output + 1) / 2,
        _ => throw new ArgumentOutOfRangeException(nameof(range), range, "unknown data range"),
    };

    /// <summary>
    /// The bounded output head for the range: tanh for [-1, 1] (official MedDeblur), sigmoid for [0, 1] (AtomSegNet).
    /// Both are the same function up to the affine range map: <c>(tanh(z) + 1) / 2 = sigmoid(2z)</c>.
    /// </summary>
    public static Tensor Squash(this DataRange range, Tensor raw) => range switch
    {
        DataRange.ZeroToOne => raw.sigmoid(),
        DataRange.MinusOneToOne => raw.tanh(),
        _ => throw new ArgumentOutOfRangeException(nameof(range), range, "unknown data range"),
    };
}
