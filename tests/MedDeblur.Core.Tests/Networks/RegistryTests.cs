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
}
