using MedDeblur.NotebookRunner;

namespace MedDeblur.Tests.Notebooks;

/// <summary>Typing of the parameters cell and the papermill-style injected assignments.</summary>
public class NotebookParametersTests
{
    [Fact]
    public void Declarations_are_typed_from_explicit_types_and_var_literals()
    {
        var declared = NotebookParameters.Parse(
            "// defaults\nvar preset = \"smoke\";\nstring? output = null;\nvar epochs = -3;\nvar lr = 1e-4;\ndouble scale = 2;\n" +
            "var tiled = true;\nbool half = false, quiet = true;\nConsole.WriteLine(preset);");

        Assert.Equal(
        [
            new ParameterDeclaration("preset", ParameterType.String, "\"smoke\""),
            new ParameterDeclaration("output", ParameterType.String, "null"),
            new ParameterDeclaration("epochs", ParameterType.Int, "-3"),
            new ParameterDeclaration("lr", ParameterType.Double, "1e-4"),
            new ParameterDeclaration("scale", ParameterType.Double, "2"),
            new ParameterDeclaration("tiled", ParameterType.Bool, "true"),
            new ParameterDeclaration("half", ParameterType.Bool, "false"),
            new ParameterDeclaration("quiet", ParameterType.Bool, "true"),
        ], declared);
    }

    [Theory]
    [InlineData("var lr = 1e-4f;", "'lr' is declared as 'var' = 1e-4f")]
    [InlineData("long seed = 1;", "'seed' is declared as 'long' = 1")]
    [InlineData("var root = Path.GetTempPath();", "'root' is declared as 'var' = Path.GetTempPath()")]
    [InlineData("Console.WriteLine(1);", "parameters cell declares no variables")]
    public void Unsupported_declarations_are_rejected_by_name(string source, string expected)
    {
        var e = Assert.Throws<NotebookException>(() => NotebookParameters.Parse(source));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Injected_source_assigns_typed_literals_in_the_given_order()
    {
        var declared = NotebookParameters.Parse("var preset = \"quick\"; var epochs = 2; var lr = 0.5; var tiled = false;");
        string source = NotebookParameters.BuildInjectedSource(declared, new Dictionary<string, string>
        {
            ["preset"] = "C:\\data \"new\"",
            ["epochs"] = " 10 ",
            ["lr"] = "1E-3",
            ["tiled"] = "True",
        });
        Assert.Equal(
            "// Parameters injected by meddeblur-notebook (papermill convention).\n" +
            "preset = \"C:\\\\data \\\"new\\\"\";\nepochs = 10;\nlr = 0.001d;\ntiled = true;",
            source);
    }

    [Theory]
    [InlineData("epochs", "2.5", "parameter 'epochs' is an int (declared as 2); '2.5' is not an int.")]
    [InlineData("lr", "fast", "parameter 'lr' is a double (declared as 0.5); 'fast' is not a double.")]
    [InlineData("tiled", "yes", "parameter 'tiled' is a bool (declared as false); 'yes' is not a bool.")]
    public void Values_that_do_not_parse_as_the_declared_type_are_rejected(string name, string value, string expected)
    {
        var declared = NotebookParameters.Parse("var epochs = 2; var lr = 0.5; var tiled = false;");
        var e = Assert.Throws<NotebookException>(() => NotebookParameters.BuildInjectedSource(declared, new Dictionary<string, string> { [name] = value }));
        Assert.Equal(expected, e.Message);
    }

    [Theory]
    [InlineData("preset=smoke", "preset", "smoke")]
    [InlineData("output=/tmp/a=b", "output", "/tmp/a=b")]
    [InlineData("empty=", "empty", "")]
    public void Command_line_assignments_split_at_the_first_equals_sign(string text, string name, string value)
    {
        Assert.Equal(new KeyValuePair<string, string>(name, value), NotebookParameters.ParseAssignment(text));
    }

    [Fact]
    public void Assignment_without_a_name_is_rejected()
    {
        Assert.Contains("is not of the form name=value", Assert.Throws<NotebookException>(() => NotebookParameters.ParseAssignment("=3")).Message);
    }
}
