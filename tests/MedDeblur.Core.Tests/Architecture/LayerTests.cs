using System.Text.RegularExpressions;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace MedDeblur.Tests.Architecture;

/// <summary>
/// The namespaces of MedDeblur.Core point one way (docs/architecture.md): every folder may use the folders listed before
/// it and none listed after it. There is no exception list: a dependency that points up fails.
/// </summary>
public sealed class LayerTests
{
    /// <summary>The folders of MedDeblur.Core, lowest first, in their layers. Folders of one rank do not use each other.</summary>
    public static readonly (string Layer, string[] Folders)[] Layers =
    [
        ("foundation", ["MedDeblur"]),
        ("foundation", ["Runtime", "Display"]),
        ("base", ["Imaging"]),
        ("base", ["Metrics"]),
        ("base", ["Data"]),
        ("base", ["Blur"]),
        ("base", ["Classical"]),
        ("base", ["Networks"]),
        ("base", ["Configuration"]),
        ("methods", ["Inference"]),
        ("methods", ["Training"]),
        ("methods", ["Evaluation", "Weights"]),
        ("methods", ["Analysis"]),
        ("presentation", ["Figures"]),
        ("presentation", ["Reporting"]),
        ("experiments", ["Downstream"]),
        ("orchestration", ["Reproduction"]),
    ];

    private static readonly ArchUnitNET.Domain.Architecture Core = new ArchLoader().LoadAssemblies(typeof(MedDeblurException).Assembly).Build();

    /// <summary>The namespace regex of a folder: the root namespace alone, or the folder with its sub-namespaces.</summary>
    private static string Pattern(string folder) =>
        folder == "MedDeblur" ? "^MedDeblur$" : $"^MedDeblur\\.{Regex.Escape(folder)}(\\..+)?$";

    public static IEnumerable<object[]> Folders() => Layers.SelectMany((l, rank) => l.Folders.Select(f => new object[] { f, rank }));

    [Theory]
    [MemberData(nameof(Folders))]
    public void A_folder_uses_no_folder_above_it_nor_one_beside_it(string folder, int rank)
    {
        var above = Layers.Select((l, r) => (l.Folders, r)).Where(x => x.r > rank).SelectMany(x => x.Folders)
            .Concat(Layers[rank].Folders.Where(f => f != folder)).ToArray();
        if (above.Length == 0) return; // the top folder
        var rule = Types().That().ResideInNamespaceMatching(Pattern(folder))
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(string.Join("|", above.Select(Pattern))))
            .Because($"{folder} is in the {Layers[rank].Layer} layer, below {string.Join(", ", above)} (docs/architecture.md)")
            .WithoutRequiringPositiveResults();
        rule.Check(Core);
    }

    [Fact]
    public void The_rule_sees_a_dependency_that_points_down()
    {
        // the same rule turned around must fail, else the layer rules above could pass by matching nothing
        var reversed = Types().That().ResideInNamespaceMatching(Pattern("Reproduction"))
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(Pattern("Training")));
        Assert.ThrowsAny<Exception>(() => reversed.Check(Core));
    }

    [Fact]
    public void Every_namespace_of_the_library_has_its_place_in_the_layers()
    {
        var placed = Layers.SelectMany(l => l.Folders).Select(Pattern).ToArray();
        var namespaces = typeof(MedDeblurException).Assembly.GetTypes()
            .Select(t => t.Namespace).OfType<string>().Where(n => n.StartsWith("MedDeblur", StringComparison.Ordinal)).Distinct();
        var unplaced = namespaces.Where(n => !placed.Any(p => Regex.IsMatch(n, p))).ToArray();
        Assert.True(unplaced.Length == 0, "namespaces without a layer: " + string.Join(", ", unplaced));
    }

    [Fact]
    public void Every_folder_of_the_library_is_in_the_layers_and_in_docs_architecture()
    {
        string core = Path.Combine(Fixture.RepositoryRoot(), "src", "MedDeblur.Core");
        var folders = Directory.GetDirectories(core).Select(Path.GetFileName).OfType<string>()
            .Where(f => f is not ("bin" or "obj") && Directory.EnumerateFiles(Path.Combine(core, f), "*.cs", SearchOption.AllDirectories).Any()).ToArray();
        var layered = Layers.SelectMany(l => l.Folders).ToHashSet();
        var unlayered = folders.Where(f => !layered.Contains(f)).ToArray();
        Assert.True(unlayered.Length == 0, "folders without a layer: " + string.Join(", ", unlayered));
        string doc = File.ReadAllText(Path.Combine(Fixture.RepositoryRoot(), "docs", "architecture.md"));
        var undrawn = folders.Where(f => !doc.Contains(f, StringComparison.Ordinal)).ToArray();
        Assert.True(undrawn.Length == 0, "folders not in docs/architecture.md: " + string.Join(", ", undrawn));
    }
}
