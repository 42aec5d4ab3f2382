using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedDeblur.Runtime;

/// <summary>How the kit computes 2-D convolutions on the CPU (environment/README.md, "Convolution self-check").</summary>
public enum ConvolutionPath
{
    /// <summary>LibTorch's default: oneDNN (MKL-DNN) kernels for float32 on the CPU. The fastest where it is correct.</summary>
    OneDnn,

    /// <summary>
    /// oneDNN with channel counts the kit pads to whole 16-channel blocks: output channels always, input channels above 16.
    /// oneDNN 3.7.1 in LibTorch 2.10 computes wrong input gradients (and, for 16k+8 input channels, wrong outputs) on
    /// some AVX-512 CPUs when a channel count leaves a partial block; padded convolutions avoid those code paths.
    /// </summary>
    ChannelPadded,

    /// <summary>LibTorch's own convolutions with oneDNN switched off (<c>at::Context::setUserEnabledMkldnn(false)</c>):
    /// independent of oneDNN, about half as fast for training.</summary>
    Native,
}

/// <summary>
/// The one place where the kit's networks, blur simulator and metrics run a 2-D convolution, so that the path chosen by
/// <see cref="ConvolutionSelfCheck"/> applies everywhere. On <see cref="ConvolutionPath.OneDnn"/> and
/// <see cref="ConvolutionPath.Native"/> it is <c>torch.nn.functional.conv2d</c>; on
/// <see cref="ConvolutionPath.ChannelPadded"/> float32 CPU convolutions with one group run on zero-padded channels and
/// the extra output channels are cut off (same values, same gradients).
/// </summary>
public static partial class Convolutions
{
    /// <summary>The channel block that <see cref="ConvolutionPath.ChannelPadded"/> pads to (one AVX-512 register of floats).</summary>
    public const int ChannelBlock = 16;

    /// <summary>The path in use (set at start-up by <see cref="TorchRuntime.Initialize"/>).</summary>
    public static ConvolutionPath Path { get; private set; } = ConvolutionPath.OneDnn;

    /// <summary>Switches the path for the whole process (oneDNN on or off in LibTorch's global context).</summary>
    /// <exception cref="PlatformNotSupportedException">The path needs a LibTorch switch this platform's LibTorch does not export.</exception>
    public static void Use(ConvolutionPath path)
    {
        bool oneDnn = path != ConvolutionPath.Native;
        try
        {
            var context = GlobalContext();
            SetUserEnabledMkldnn(context, oneDnn);
            // NNPACK (tried for some shapes oneDNN declines) is off on every path: on CPUs it does not support, such as
            // AMD Zen 5, LibTorch prints a warning per process, and the self-check's cases do not cover it.
            SetUserEnabledNnpack(context, false);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            if (!oneDnn) throw new PlatformNotSupportedException("this LibTorch build does not export at::Context::setUserEnabledMkldnn", e);
        }
        Path = path;
    }

    /// <summary>
    /// <c>conv2d(input, weight, bias, stride, padding, dilation, groups)</c> on the active <see cref="Path"/>, with
    /// autograd as <c>torch.nn.functional.conv2d</c>.
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null,
                                long[]? dilation = null, long groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        stride ??= [1, 1];
        padding ??= [0, 0];
        dilation ??= [1, 1];
        if (Path == ConvolutionPath.ChannelPadded && groups == 1 && input.device_type == DeviceType.CPU &&
            input.dtype == ScalarType.Float32 && weight.dim() == 4)
        {
            long outChannels = weight.shape[0], inChannels = weight.shape[1];
            long outPadded = RoundUp(outChannels);
            long inPadded = inChannels > ChannelBlock ? RoundUp(inChannels) : inChannels;
            if (outPadded != outChannels || inPadded != inChannels)
            {
                using var scope = NewDisposeScope();
                var w = F.pad(weight, [0, 0, 0, 0, 0, inPadded - inChannels, 0, outPadded - outChannels]);
                var b = bias is null ? null : F.pad(bias, [0, outPadded - outChannels]);
                var x = inPadded == inChannels ? input : F.pad(input, [0, 0, 0, 0, 0, inPadded - inChannels]);
                var y = F.conv2d(x, w, b, stride, padding, dilation, 1);
                return (outPadded == outChannels ? y : y.narrow(1, 0, outChannels)).MoveToOuterDisposeScope();
            }
        }
        return F.conv2d(input, weight, bias, stride, padding, dilation, groups);
    }

    private static long RoundUp(long channels) => (channels + ChannelBlock - 1) / ChannelBlock * ChannelBlock;

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool on);

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool on);
}
