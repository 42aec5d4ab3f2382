using MedDeblur.Configuration;
using MedDeblur.Networks;

namespace MedDeblur.Tests.Networks;

public class WeightInitTests
{
    [Fact]
    public void The_same_seed_gives_the_same_weights_for_every_network()
    {
        var options = Presets.Load("smoke").Network;
        foreach (var name in NetworkRegistry.Names)
        {
            using var a = NetworkRegistry.Create(name, options, 3);
            using var b = NetworkRegistry.Create(name, options, 3);
            using var c = NetworkRegistry.Create(name, options, 4);
            var sa = a.state_dict();
            var sb = b.state_dict();
            var sc = c.state_dict();
            Assert.All(sa.Keys, k => Assert.True(sa[k].allclose(sb[k], 0, 0), $"{name}: {k} differs for the same seed"));
            Assert.Contains(sa.Keys, k => !sa[k].allclose(sc[k], 0, 0));
        }
    }
}
