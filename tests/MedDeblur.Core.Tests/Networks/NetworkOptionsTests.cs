using System.Text.Json;
using MedDeblur.Configuration;
using MedDeblur.Networks;

namespace MedDeblur.Tests.Networks;

public class NetworkOptionsTests
{
    public static TheoryData<string, Func<NetworkOptions, NetworkOptions>, string> BadOptions => new()
    {
        { "two widths", o => o with { Widths = [32, 64] }, "network.widths = [32, 64]: exactly three widths" },
        { "zero width", o => o with { Widths = [32, 0, 128] }, "network.widths[1] = 0" },
        { "no blocks", o => o with { BlocksPerStage = 0 }, "network.blocksPerStage = 0" },
        { "no dense layers", o => o with { DenseLayers = 0 }, "network.denseLayers = 0" },
        { "zero growth", o => o with { GrowthRate = 0 }, "network.growthRate = 0" },
        { "SE wider than narrowest width", o => o with { Widths = [8, 16, 32] }, "network.seReduction = 16: the narrowest width 8" },
        { "zero scales", o => o with { Scales = 0 }, "network.scales = 0" },
        { "even LSTM kernel", o => o with { LstmKernel = 4 }, "network.lstmKernel = 4" },
        { "even kernel", o => o with { KernelSize = 2 }, "network.kernelSize = 2" },
        { "undefined range", o => o with { DataRange = (DataRange)7 }, "network.dataRange = 7" },
        { "negative width multiplier", o => o with { Baselines = new BaselineOptions { WidthMultiplier = -1 } }, "network.baselines.widthMultiplier = -1" },
        { "NaN depth multiplier", o => o with { Baselines = new BaselineOptions { DepthMultiplier = double.NaN } }, "network.baselines.depthMultiplier = NaN" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Invalid_option_is_reported_with_its_name_and_value(string what, Func<NetworkOptions, NetworkOptions> change, string expected)
    {
        var e = Assert.Throws<MedDeblurException>(() => change(NetworkOptions.Paper).Validate());
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {e.Message}");
    }

    [Fact]
    public void Attention_off_allows_any_se_reduction()
    {
        var o = NetworkOptions.Paper with { Widths = [8, 16, 32], Attention = false };
        Assert.Same(o, o.Validate());
    }

    [Fact]
    public void Options_round_trip_through_camel_case_json_with_enum_names()
    {
        var o = NetworkOptions.Paper with { Block = BlockKind.Residual, DataRange = DataRange.ZeroToOne, Widths = [4, 8, 16] };
        string json = JsonSerializer.Serialize(o, JsonDefaults.Indented);
        Assert.Contains("\"blocksPerStage\": 3", json);
        Assert.Contains("\"block\": \"residual\"", json);
        Assert.Contains("\"dataRange\": \"zeroToOne\"", json);
        var back = JsonSerializer.Deserialize<NetworkOptions>(json, JsonDefaults.Indented);
        Assert.Equal(o, back);
        Assert.NotEqual(o, back! with { Widths = [4, 8, 32] });
    }

    [Fact]
    public void Baseline_width_and_depth_round_and_never_reach_zero()
    {
        var b = new BaselineOptions { WidthMultiplier = 0.25, DepthMultiplier = 0.1 };
        Assert.Equal(16, b.Width(64));
        Assert.Equal(2, b.Depth(15)); // 1.5 rounds away from zero
        Assert.Equal(1, new BaselineOptions { DepthMultiplier = 0.01 }.Depth(19));
    }
}
