using System.Text.Json.Nodes;
using MedDeblur.NotebookRunner;
using System.Text.RegularExpressions;

namespace MedDeblur.Tests.Notebooks;

/// <summary>One problem found by <see cref="NotebookValidator"/>.</summary>
/// <param name="Notebook">The notebook file (or "notebook").</param>
/// <param name="Cell">The cell (<c>cell N</c>, 1-based), or null for the notebook as a whole.</param>
/// <param name="Message">What is wrong and what is expected.</param>
internal sealed record NotebookProblem(string Notebook, string? Cell, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Cell is null ? $"{Notebook}: {Message}" : $"{Notebook}, {Cell}: {Message}";
}

/// <summary>
/// Checks a committed notebook (the test that every notebook in notebooks/ passes): metadata exactly as VS Code Polyglot Notebooks writes it, no outputs, pinned
/// central package versions and exactly one <c>parameters</c> cell.
/// </summary>
/// <remarks>
/// The metadata expected (dotnet/interactive, src/Microsoft.DotNet.Interactive.Documents.Tests/
/// JupyterFormatTests.ipynb_from_VSCode_can_be_round_tripped_...approved.ipynb):
/// <c>kernelspec</c> = { display_name ".NET (C#)", language "C#", name ".net-csharp" }, <c>language_info.name</c> "C#",
/// <c>polyglot_notebook.kernelInfo</c> = { defaultKernelName "csharp", items [{ aliases [], name "csharp" }] },
/// nbformat 4.5; each code cell has <c>dotnet_interactive.language</c> "csharp", <c>polyglot_notebook.kernelName</c>
/// "csharp" and <c>vscode.languageId</c> "polyglot-notebook".
/// </remarks>
internal static partial class NotebookValidator
{
    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex CellIdPattern();

    /// <summary>Validates the notebook file at <paramref name="path"/>; unreadable files give one problem.</summary>
    /// <param name="path">The .ipynb file.</param>
    /// <param name="central">Central versions; null = the Directory.Packages.props above the notebook.</param>
    public static IReadOnlyList<NotebookProblem> Validate(string path, CentralPackageVersions? central = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) return [new NotebookProblem(path, null, $"notebook '{path}' does not exist.")];
        try
        {
            central ??= CentralPackageVersions.TryFindFrom(Path.GetDirectoryName(Path.GetFullPath(path))!);
            return ValidateJson(File.ReadAllText(path), path, central);
        }
        catch (Exception e) when (e is NotebookException or InvalidDataException)
        {
            return [new NotebookProblem(path, null, e.Message)];
        }
    }

    /// <summary>Validates the JSON text of a notebook named <paramref name="file"/> against <paramref name="central"/>
    /// (null: every nuget line is a problem).</summary>
    /// <exception cref="NotebookException">The text is not a JSON object.</exception>
    public static IReadOnlyList<NotebookProblem> ValidateJson(string json, string file, CentralPackageVersions? central)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new NotebookException($"notebook '{file}' is not a JSON object.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new NotebookException($"notebook '{file}' is not valid JSON: {e.Message}", e);
        }
        var problems = new List<NotebookProblem>();
        void Add(string? cell, string message) => problems.Add(new NotebookProblem(file, cell, message));
        var cells = (root["cells"] as JsonArray ?? []).OfType<JsonObject>().ToArray();

        if (Int(root["nbformat"]) != 4 || Int(root["nbformat_minor"]) != 5)
            Add(null, $"nbformat is {root["nbformat"]?.ToJsonString() ?? "missing"}.{root["nbformat_minor"]?.ToJsonString() ?? "missing"}; expected 4.5.");

        var meta = root["metadata"] as JsonObject;
        Expect(meta?["kernelspec"], new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
            "metadata.kernelspec", null);
        if (Str(meta?["language_info"]?["name"]) != "C#")
            Add(null, $"metadata.language_info.name is {Show(meta?["language_info"]?["name"])}; expected \"C#\".");
        Expect(meta?["polyglot_notebook"]?["kernelInfo"],
            new JsonObject
            {
                ["defaultKernelName"] = "csharp",
                ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
            },
            "metadata.polyglot_notebook.kernelInfo", null);

        var ids = new HashSet<string>(StringComparer.Ordinal);
        int parameterCells = 0;
        for (int i = 0; i < cells.Length; i++)
        {
            var cell = cells[i];
            bool isCode = Str(cell["cell_type"]) == "code";
            var tags = Tags(cell);
            string label = $"cell {i + 1}";
            if (Str(cell["id"]) is { } id)
            {
                if (!CellIdPattern().IsMatch(id)) Add(label, $"cell id '{id}' does not match nbformat's [a-zA-Z0-9_-]{{1,64}}.");
                if (!ids.Add(id)) Add(label, $"cell id '{id}' is used by an earlier cell too.");
            }
            else if (isCode)
            {
                Add(label, "code cell has no \"id\" (nbformat 4.5).");
            }
            if (tags.Contains(NotebookParameters.InjectedTag))
                Add(label, $"cell is tagged '{NotebookParameters.InjectedTag}': this is an executed notebook, commit the original.");
            if (!isCode) continue;

            var cm = cell["metadata"];
            if (Str(cm?["dotnet_interactive"]?["language"]) != "csharp")
                Add(label, $"metadata.dotnet_interactive.language is {Show(cm?["dotnet_interactive"]?["language"])}; expected \"csharp\".");
            if (Str(cm?["polyglot_notebook"]?["kernelName"]) != "csharp")
                Add(label, $"metadata.polyglot_notebook.kernelName is {Show(cm?["polyglot_notebook"]?["kernelName"])}; expected \"csharp\".");
            if (Str(cm?["vscode"]?["languageId"]) != "polyglot-notebook")
                Add(label, $"metadata.vscode.languageId is {Show(cm?["vscode"]?["languageId"])}; expected \"polyglot-notebook\".");

            if (cell["outputs"] is not JsonArray outputs)
                Add(label, "code cell has no \"outputs\" array.");
            else if (outputs.Count > 0)
                Add(label, $"code cell has {outputs.Count} output(s); commit notebooks without outputs (clear all outputs).");
            if (!cell.ContainsKey("execution_count") || cell["execution_count"] is not null)
                Add(label, $"execution_count is {Show(cell["execution_count"])}; expected null in a committed notebook.");

            string source = Source(cell);
            foreach (var (line, package, version) in CentralPackageVersions.NugetReferences(source))
            {
                string? problem = central is null
                    ? $"#r \"nuget: {package}\" cannot be checked: no {CentralPackageVersions.FileName} above the notebook."
                    : central.CheckPin(package, version);
                if (problem is not null) Add($"{label}, line {line}", problem);
            }

            if (tags.Contains(NotebookParameters.ParametersTag))
            {
                parameterCells++;
                try
                {
                    NotebookParameters.Parse(source);
                }
                catch (NotebookException e)
                {
                    Add(label, e.Message);
                }
            }
        }
        if (SetupCellProblem(cells) is { } setup) Add(setup.Cell, setup.Message);
        if (parameterCells != 1)
            Add(null, $"{parameterCells} code cells are tagged '{NotebookParameters.ParametersTag}'; expected exactly one (papermill convention).");
        return problems;

        void Expect(JsonNode? actual, JsonNode expected, string what, string? cell)
        {
            if (!JsonNode.DeepEquals(actual, expected))
                Add(cell, $"{what} is {Show(actual)}; expected {expected.ToJsonString()}.");
        }
    }

    /// <summary>
    /// In a notebook that references <c>MedDeblur.Core.dll</c>, the first code cell must be the setup cell: any
    /// <c>#r "nuget: ..."</c> lines, then the <c>#r</c> lines of built assemblies (MedDeblur.Core.dll among them), then
    /// one statement (the library call that initialises the runtime and shows backend, versions and threads). Blank
    /// lines, <c>//</c> comments, <c>#!</c> magics and <c>using</c> directives may appear anywhere in it.
    /// </summary>
    private static (string Cell, string Message)? SetupCellProblem(JsonObject[] cells)
    {
        var code = cells.Select((c, i) => (Cell: c, Index: i)).Where(c => Str(c.Cell["cell_type"]) == "code").ToArray();
        if (code.Length == 0 || !code.Any(c => Source(c.Cell).Split('\n').Any(IsCoreReference))) return null;
        string label = $"cell {code[0].Index + 1}";
        const string Expected = "expected the setup cell: any #r \"nuget: ...\" lines, the #r of MedDeblur.Core.dll (and other built assemblies), then one library call (e.g. Kit.Setup()).";
        var lines = Source(code[0].Cell).Split('\n').Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal) && !l.StartsWith("#!", StringComparison.Ordinal) &&
                        !(l.StartsWith("using ", StringComparison.Ordinal) && l.EndsWith(';') && !l.Contains('(')))
            .ToArray();
        int nuget = lines.TakeWhile(l => CentralPackageVersions.NugetReferences(l).Any()).Count();
        var dlls = lines.Skip(nuget).TakeWhile(l => l.StartsWith("#r", StringComparison.Ordinal) && l.Contains(".dll\"", StringComparison.Ordinal)).ToArray();
        if (!dlls.Any(IsCoreReference))
            return (label, $"the first code cell does not reference MedDeblur.Core.dll in the #r lines it starts with; {Expected}");
        int calls = lines.Length - nuget - dlls.Length;
        if (calls != 1 || lines[^1].StartsWith('#'))
            return (label, $"the first code cell has {calls} line(s) of code after the #r lines; {Expected}");
        return null;

        static bool IsCoreReference(string line) =>
            line.Trim().StartsWith("#r", StringComparison.Ordinal) && line.Contains("MedDeblur.Core.dll\"", StringComparison.Ordinal);
    }

    private static string Source(JsonObject cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => Str(l) ?? "")),
        var single => Str(single) ?? "",
    };

    private static string[] Tags(JsonObject cell) => (cell["metadata"]?["tags"] as JsonArray ?? []).Select(Str).OfType<string>().ToArray();

    private static int? Int(JsonNode? node) => node is JsonValue v && v.TryGetValue(out int i) ? i : null;

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static string Show(JsonNode? node) => node?.ToJsonString() ?? "missing";
}
