using MedDeblur.Networks;

namespace MedDeblur.Tests.Networks;

public class RegistryTests
{
    [Fact]
    public void Registry_lists_the_seven_networks_in_table_order()
    {
        Assert.Equal(["meddeblur", "meddeblur-base", "meddeblur-sr", "deepdeblur", "srn", "dncnn", "temimagenet"],
            NetworkRegistry.Names);
        Assert.All(NetworkRegistry.All, info =>
        {
            Assert.False(string.IsNullOrWhiteSpace(info.Description));
            Assert.False(string.IsNullOrWhiteSpace(info.Citation));
            Assert.False(string.IsNullOrWhiteSpace(info.PublishedParametersSource));
        });
        Assert.Equal(8_028_917, NetworkRegistry.Describe("MedDeblur").PublishedParameters);
    }

    [Fact]
    public void The_registry_owns_each_networks_label_tables_and_notes_and_the_presets_agree_with_it()
    {
        Assert.Equal(["MedDeblur", "Base", "Base + scale-recurrent", "DeepDeblur", "SRN-Deblur", "ZhaoNet (DnCNN)", "TEMImageNet"],
            NetworkRegistry.All.Select(i => i.DisplayName));
        Assert.Equal(["meddeblur", "meddeblur-base", "meddeblur-sr"], NetworkRegistry.WithRole(NetworkRoles.Ablation));
        Assert.Equal(["deepdeblur", "srn", "dncnn", "temimagenet"], NetworkRegistry.WithRole(NetworkRoles.Baseline));
        Assert.All(NetworkRegistry.WithRole(NetworkRoles.Ablation), n => Assert.False(string.IsNullOrWhiteSpace(NetworkRegistry.Describe(n).AblationNote)));
        var options = new NetworkOptions();
        Assert.Contains("width", NetworkRegistry.Describe("dncnn").SizeNote(options));
        Assert.StartsWith("widths ", NetworkRegistry.Describe("srn").SizeNote(options));
        foreach (var preset in MedDeblur.Configuration.Presets.Names.Select(MedDeblur.Configuration.Presets.Load))
        {
            Assert.All(preset.Reproduce.Comparison, n => Assert.True(NetworkRegistry.Describe(n).Has(NetworkRoles.Comparison), $"{preset.Name}: {n}"));
            Assert.All(preset.Reproduce.Ablation, n => Assert.True(NetworkRegistry.Describe(n).Has(NetworkRoles.Ablation), $"{preset.Name}: {n}"));
        }
    }

    [Fact]
    public void Unknown_network_name_is_rejected_listing_the_known_names()
    {
        var e = Assert.Throws<MedDeblurException>(() => NetworkRegistry.Create("unet3d", TestImages.Smoke));
        Assert.Contains("'unet3d'", e.Message);
        foreach (var name in NetworkRegistry.Names) Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Invalid_options_are_rejected_before_building_with_the_option_name()
    {
        var e = Assert.Throws<MedDeblurException>(() =>
            NetworkRegistry.Create("meddeblur", TestImages.Smoke with { Widths = [4, 0, 8] }));
        Assert.Contains("network.widths[1] = 0", e.Message);
    }

    [Theory]
    [InlineData("meddeblur-sr")]
    [InlineData("srn")]
    public void Scale_recurrent_networks_reject_a_single_scale_naming_the_value(string name)
    {
        var e = Assert.Throws<MedDeblurException>(() => NetworkRegistry.Create(name, TestImages.Smoke with { Scales = 1 }));
        Assert.Contains("network.scales = 1", e.Message);
        Assert.Contains($"'{name}'", e.Message);
        Assert.Throws<MedDeblurException>(() => NetworkRegistry.EffectiveOptions(name, TestImages.Smoke with { Scales = 1 }));
        using var twoScales = NetworkRegistry.Create(name, TestImages.Smoke with { Scales = 2 });
        Assert.Equal(2, twoScales.Scales);
    }

    [Fact]
    public void Meddeblur_sr_and_srn_are_the_same_network_except_the_output_head()
    {
        // Same options, same parameters and keys from the same seed; only srn leaves the finest output without tanh.
        var sr = NetworkRegistry.EffectiveOptions("meddeblur-sr", TestImages.Smoke);
        Assert.Equal(sr, NetworkRegistry.EffectiveOptions("srn", TestImages.Smoke));
        using var a = (ScaleRecurrentNetwork)NetworkRegistry.Create("meddeblur-sr", TestImages.Smoke, seed: 3);
        using var b = (ScaleRecurrentNetwork)NetworkRegistry.Create("srn", TestImages.Smoke, seed: 3);
        Assert.Equal(a.state_dict().Keys, b.state_dict().Keys);
        Assert.All(a.state_dict(), kv => Assert.True(kv.Value.allclose(b.state_dict()[kv.Key], rtol: 0, atol: 0), kv.Key));
        Assert.Equal((true, false), (a.BoundedOutput, b.BoundedOutput));
    }
}
