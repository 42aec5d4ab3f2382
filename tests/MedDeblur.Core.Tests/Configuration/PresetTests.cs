using System.Text.Json;
using MedDeblur.Configuration;
using MedDeblur.Networks;
using MedDeblur.Runtime;

namespace MedDeblur.Tests.Configuration;

public sealed class PresetTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "meddeblur-presets-" + Guid.NewGuid().ToString("N"));

    public PresetTests()
    {
        TorchRuntime.Initialize();
        Directory.CreateDirectory(folder);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void The_three_presets_are_embedded()
    {
        Assert.Equal(["paper", "quick", "smoke"], Presets.Names);
    }

    [Fact]
    public void Paper_preset_is_the_official_configuration()
    {
        var paper = Presets.Load("paper");
        Assert.Equal("paper", paper.Name);
        Assert.Contains("8,028,917", paper.Description);
        Assert.Equal(NetworkOptions.Paper, paper.Network);
        using var net = NetworkRegistry.Create("meddeblur", paper.Network);
        Assert.Equal(8_028_917, net.ParameterCount);
    }

    [Theory]
    [InlineData("quick", 8, 32)]
    [InlineData("smoke", 4, 8)]
    [InlineData("QUICK", 8, 32)]
    public void Reduced_presets_load_with_their_widths(string name, int first, int last)
    {
        var preset = Presets.Load(name);
        Assert.Equal((first, last), (preset.Network.Widths[0], preset.Network.Widths[2]));
        Assert.False(string.IsNullOrWhiteSpace(preset.Description));
    }

    [Fact]
    public void Preset_loads_from_a_path_with_defaults_for_missing_keys()
    {
        string path = Path.Combine(folder, "mine.json");
        File.WriteAllText(path, """
            {
              // comments are allowed
              "description": "my experiment",
              "network": { "widths": [8, 8, 16], "seReduction": 8, "dataRange": "zeroToOne" },
              "training": { "steps": 12 },
            }
            """);
        var preset = Presets.Load(path);
        Assert.Equal("mine", preset.Name);
        Assert.Equal([8, 8, 16], preset.Network.Widths);
        Assert.Equal(DataRange.ZeroToOne, preset.Network.DataRange);
        Assert.Equal(3, preset.Network.BlocksPerStage); // missing keys take the paper values
        Assert.Equal(12, preset.Training.Steps);
        Assert.Equal(new MedDeblur.Blur.BlurOptions(), preset.Blur); // missing sections take their defaults
    }

    [Fact]
    public void Unknown_preset_name_lists_the_embedded_ones()
    {
        var e = Assert.Throws<MedDeblurException>(() => Presets.Load("fast"));
        Assert.Contains("'fast'", e.Message);
        Assert.Contains("paper, quick, smoke", e.Message);
        var missing = Assert.Throws<MedDeblurException>(() => Presets.Load(Path.Combine(folder, "absent.json")));
        Assert.Contains("not found", missing.Message);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "{ \"network\": { \"widht\": [1, 2, 3] } }", "widht" },
        { "{ \"network\": { \"widths\": [8, 0, 8] } }", "network.widths[1] = 0" },
        { "{ \"network\": { \"dataRange\": \"zeroToTwo\" } }", "dataRange" },
        { "{ \"nework\": {} }", "nework" },
        { "{ \"training\": { \"steps\": 0 } }", "training.Steps must be positive" },
        { "[1, 2]", "invalid options" },
        { "{ \"network\": ", "invalid options" },
        { "{ \"name\": 3, \"network\": {} }", "$.name" },
        // null where the options have no null (the options fuzzer's first find: "data": null crashed Validate)
        { "{ \"data\": null,}", "$.data" },
        { "{ \"network\": null }", "$.network" },
        { "{ \"network\": { \"widths\": null } }", "$.network.widths" },
        { "{ \"reproduce\": { \"comparison\": [\"srn\", null] } }", "reproduce.comparison[1] = null is not a network" },
        { "{ \"reproduce\": { \"ablation\": [\"meddeblur\", \"resnet\"] } }", "reproduce.ablation[1] = 'resnet' is not a network" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Bad_preset_file_is_rejected_naming_the_file_and_the_problem(string json, string expected)
    {
        string path = Path.Combine(folder, "bad.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<MedDeblurException>(() => Presets.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Embedded_preset_text_is_the_repository_file()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "MedDeblur.slnx"))) root = Path.GetDirectoryName(root)!;
        foreach (var name in Presets.Names)
            Assert.Equal(File.ReadAllText(Path.Combine(root, "presets", name + ".json")), Presets.ReadEmbedded(name));
        using var doc = JsonDocument.Parse(Presets.ReadEmbedded("quick"));
        Assert.Equal("quick", doc.RootElement.GetProperty("name").GetString());
    }
}
