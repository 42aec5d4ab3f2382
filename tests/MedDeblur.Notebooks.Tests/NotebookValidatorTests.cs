using System.Text.Json.Nodes;
using MedDeblur.NotebookRunner;

namespace MedDeblur.Tests.Notebooks;

/// <summary>Validation of committed notebooks: one test per kind of problem, each on a copy of a valid fixture.</summary>
public class NotebookValidatorTests
{
    [Fact]
    public void Valid_fixtures_have_no_problems()
    {
        Assert.Empty(NotebookValidator.Validate(NotebookFixtures.Succeeds));
        Assert.Empty(NotebookValidator.Validate(NotebookFixtures.FailsInCell3));
    }

    [Fact]
    public void Wrong_pin_in_a_committed_notebook_is_one_problem_naming_both_versions()
    {
        var problem = Assert.Single(NotebookValidator.Validate(NotebookFixtures.WrongNugetVersion));
        Assert.Equal("cell 1, line 1", problem.Cell);
        Assert.StartsWith("package 'TorchSharp-cpu' is pinned to 0.106.0 but ", problem.Message);
        Assert.Contains("has 0.107.0", problem.Message);
    }

    [Fact]
    public void Unreadable_notebook_is_reported_as_a_problem_not_an_exception()
    {
        string missing = Path.Combine(NotebookFixtures.Folder, "nope.ipynb");
        var problem = Assert.Single(NotebookValidator.Validate(missing));
        Assert.Equal($"notebook '{missing}' does not exist.", problem.Message);
    }

    public static TheoryData<string, string?, string> Mutations => new()
    {
        { "nbformat_minor", null, "nbformat is 4.4; expected 4.5." },
        { "kernelspec", null, "metadata.kernelspec is" },
        { "language_info", null, "metadata.language_info.name is \"python\"; expected \"C#\"." },
        { "kernelInfo", null, "metadata.polyglot_notebook.kernelInfo is" },
        { "cell_language", "cell 2", "metadata.dotnet_interactive.language is \"fsharp\"; expected \"csharp\"." },
        { "cell_kernelName", "cell 2", "metadata.polyglot_notebook.kernelName is missing; expected \"csharp\"." },
        { "cell_languageId", "cell 2", "metadata.vscode.languageId is \"csharp\"; expected \"polyglot-notebook\"." },
        { "outputs", "cell 4", "code cell has 1 output(s); commit notebooks without outputs" },
        { "execution_count", "cell 4", "execution_count is 7; expected null in a committed notebook." },
        { "unpinned", "cell 2, line 2", "package 'TorchSharp-cpu' is not pinned; write #r \"nuget: TorchSharp-cpu, 0.107.0\"" },
        { "wrong_version", "cell 2, line 2", "package 'TorchSharp-cpu' is pinned to 0.106.0 but " },
        { "unlisted", "cell 2, line 2", "package 'Newtonsoft.Json' is not listed in " },
        { "no_parameters", null, "0 code cells are tagged 'parameters'; expected exactly one" },
        { "two_parameters", null, "2 code cells are tagged 'parameters'; expected exactly one" },
        { "bad_parameter", "cell 3", "parameters cell: 'when' is declared as 'var' = DateTime.Now; parameters must be string, int, double or bool" },
        { "duplicate_id", "cell 4", "cell id 'setup' is used by an earlier cell too." },
        { "missing_id", "cell 4", "code cell has no \"id\" (nbformat 4.5)." },
        { "injected", "cell 4", "cell is tagged 'injected-parameters'" },
        { "setup_two_calls", "cell 2", "the first code cell has 2 line(s) of code after the #r lines; expected the setup cell" },
        { "setup_no_dll", "cell 2", "the first code cell does not reference MedDeblur.Core.dll in the #r lines it starts with" },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public void Each_kind_of_problem_is_reported_once_with_its_cell(string mutation, string? cell, string message)
    {
        var root = JsonNode.Parse(File.ReadAllText(NotebookFixtures.Succeeds))!.AsObject();
        var cells = root["cells"]!.AsArray();
        JsonObject Meta(int i) => cells[i]!["metadata"]!.AsObject();
        void SetSource(int i, string source) => cells[i]!["source"] = source;
        switch (mutation)
        {
            case "nbformat_minor": root["nbformat_minor"] = 4; break;
            case "kernelspec": root["metadata"]!["kernelspec"]!["name"] = "csharp"; break;
            case "language_info": root["metadata"]!["language_info"]!["name"] = "python"; break;
            case "kernelInfo": root["metadata"]!["polyglot_notebook"]!["kernelInfo"]!["items"]![0]!["aliases"] = new JsonArray("c#"); break;
            case "cell_language": Meta(1)["dotnet_interactive"]!["language"] = "fsharp"; break;
            case "cell_kernelName": Meta(1).Remove("polyglot_notebook"); break;
            case "cell_languageId": Meta(1)["vscode"]!["languageId"] = "csharp"; break;
            case "outputs": cells[3]!["outputs"]!.AsArray().Add(new JsonObject { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = "x" }); break;
            case "execution_count": cells[3]!["execution_count"] = 7; break;
            case "unpinned": SetSource(1, "#!csharp\n#r \"nuget: TorchSharp-cpu\"\n"); break;
            case "wrong_version": SetSource(1, "#!csharp\n#r \"nuget: TorchSharp-cpu, 0.106.0\"\n"); break;
            case "unlisted": SetSource(1, "#!csharp\n#r \"nuget:Newtonsoft.Json,13.0.3\"\n"); break;
            case "no_parameters": Meta(2).Remove("tags"); break;
            case "two_parameters":
                var copy = cells[2]!.DeepClone();
                copy["id"] = "params-again";
                cells.Add(copy);
                break;
            case "bad_parameter": SetSource(2, "var preset = \"quick\";\nvar when = DateTime.Now;"); break;
            case "duplicate_id": cells[3]!["id"] = "setup"; break;
            case "missing_id": cells[3]!.AsObject().Remove("id"); break;
            case "injected": Meta(3)["tags"] = new JsonArray("injected-parameters"); break;
            case "setup_two_calls": SetSource(1, "#r \"nuget: TorchSharp-cpu, 0.107.0\"\n#r \"x/MedDeblur.Core.dll\"\nusing TorchSharp;\nMedDeblur.Runtime.TorchRuntime.Initialize();\nMedDeblur.Runtime.TorchRuntime.Describe()"); break;
            case "setup_no_dll": SetSource(1, "#r \"nuget: TorchSharp-cpu, 0.107.0\"\nMedDeblur.Runtime.TorchRuntime.Setup()"); SetSource(3, "#r \"x/MedDeblur.Core.dll\"\n" + cells[3]!["source"]!.AsArray().Select(n => n!.GetValue<string>()).Aggregate("", string.Concat)); break;
            default: throw new ArgumentException(mutation);
        }
        var problem = Assert.Single(NotebookValidator.ValidateJson(root.ToJsonString(), "mutated.ipynb", NotebookFixtures.Central));

        Assert.Equal("mutated.ipynb", problem.Notebook);
        Assert.Equal(cell, problem.Cell);
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public void Checking_several_notebooks_finds_the_problems_of_each()
    {
        // was the runner's `check` verb (exit 0 / 1); validation now lives with the tests that enforce it
        Assert.Empty(new[] { NotebookFixtures.Succeeds }.SelectMany(f => NotebookValidator.Validate(f)));
        Assert.Single(new[] { NotebookFixtures.Succeeds, NotebookFixtures.WrongNugetVersion }.SelectMany(f => NotebookValidator.Validate(f)));
    }
}
