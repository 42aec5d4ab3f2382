using MedDeblur.Build;
using MedDeblur.Runtime;
using TorchSharp;

namespace MedDeblur.Tests.Runtime;

/// <summary>Guards the Debian 12 load fix (Directory.Build.targets, build/GlibcxxWeakener.cs).</summary>
public class TorchLoadTests
{
    [Fact]
    public void One_tensor_computes_after_the_load_fix()
    {
        TorchRuntime.Initialize();
        using var t = torch.ones(2, 3) * 2;
        Assert.Equal(12f, t.sum().item<float>());
    }

    [Fact]
    public void Output_copy_of_LibTorchSharp_has_no_strong_GLIBCXX_3_4_32_requirement()
    {
        if (!OperatingSystem.IsLinux()) return;
        var copies = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.NotEmpty(copies);
        foreach (var copy in copies)
            Assert.Equal(GlibcxxWeakener.Outcome.AlreadyWeak, GlibcxxWeakener.Apply(copy, write: false));
    }

    [Fact]
    public void Describe_reports_the_cpu_backend_and_a_device()
    {
        var info = TorchRuntime.Describe("cpu");
        Assert.Equal("cpu", info.Backend);
        Assert.Equal("cpu", info.Device);
        Assert.True(info.Threads >= 1, $"threads = {info.Threads}");
    }

    [Fact]
    public void Unknown_device_name_is_rejected_with_its_name()
    {
        var e = Assert.Throws<ArgumentException>(() => TorchRuntime.ResolveDevice("tpu"));
        Assert.Contains("tpu", e.Message);
    }
}
