using System.Runtime.InteropServices;
using MedDeblur.Networks;
using MedDeblur.Runtime;
using MedDeblur.Tests.Networks;
using static TorchSharp.torch;

namespace MedDeblur.Tests.Runtime;

/// <summary>
/// Denormal flushing is a register of each thread: a thread the kit did not start on (a test runner's, a notebook
/// kernel's, a thread pool's) gets it from the kit's first call on that thread. Without it a smoke-sized training step
/// slowed from 60 ms to seconds once gradients turned denormal, and this suite's training tests ran 2–10 times slower
/// depending on which thread ran them.
/// </summary>
public sealed class DenormalFlushingTests
{
    // Below float's smallest normal, 1.18e-38, and its exact half (constants: computed here, on a flushing thread, the
    // half would be 0).
    private const int DenormalBits = 713_624, HalfBits = 356_812;
    private static readonly float Denormal = BitConverter.Int32BitsToSingle(DenormalBits);

    [Fact]
    public void A_thread_flushes_denormals_after_its_first_kit_call()
    {
        Assert.True(DenormalFlushing.Enabled, "denormal flushing is off in this process (MEDDEBLUR_FLUSH_DENORMAL=0?)");
        // A new thread copies the register from the thread that starts it, which may be flushing already: each starts
        // by switching it off, as on a thread the kit never reached.
        var (before, afterInitialize) = OnNewThread(() =>
        {
            float kept = Halve(Denormal);
            TorchRuntime.Initialize();
            return (kept, Halve(Denormal));
        });
        var (_, afterNetwork) = OnNewThread(() =>
        {
            NetworkRegistry.Create("dncnn", TestImages.Smoke).Dispose();
            return (0f, Halve(Denormal));
        });

        Assert.Equal(HalfBits, BitConverter.SingleToInt32Bits(before)); // a thread without flushing keeps it: not vacuous
        Assert.Equal(0f, afterInitialize);
        Assert.Equal(0f, afterNetwork);
    }

    private static (float, float) OnNewThread(Func<(float, float)> work)
    {
        (float, float) result = default;
        var thread = new Thread(() =>
        {
            SetFlushDenormal(false);
            result = work();
        });
        thread.Start();
        thread.Join();
        return result;
    }

    /// <summary>x / 2 computed by LibTorch on the calling thread (one element: no worker thread takes part).</summary>
    private static float Halve(float x)
    {
        using var t = tensor(new[] { x });
        using var half = t / 2f;
        return half.item<float>();
    }

    [DllImport("torch_cpu", EntryPoint = "_ZN2at7Context16setFlushDenormalEb")]
    [return: MarshalAs(UnmanagedType.I1)]
    private static extern bool SetFlushDenormal([MarshalAs(UnmanagedType.I1)] bool on);
}
