using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.DotNet.Interactive.Documents;

namespace MedDeblur.NotebookRunner;

/// <summary>Type of a notebook parameter, from its declaration in the <c>parameters</c> cell: <c>string</c>,
/// <c>int</c>, <c>double</c> or <c>bool</c>, written as such or as <c>var</c> with a literal of that type.</summary>
#pragma warning disable CS1591 // the members are described above
public enum ParameterType { String, Int, Double, Bool }
#pragma warning restore CS1591

/// <summary>One variable declared in the <c>parameters</c> cell.</summary>
/// <param name="Name">The variable name.</param>
/// <param name="Type">Its type.</param>
/// <param name="DefaultValue">The initializer as written in the cell.</param>
public sealed record ParameterDeclaration(string Name, ParameterType Type, string DefaultValue);

/// <summary>
/// Papermill-style parameters: the code cell tagged <c>parameters</c> declares variables with defaults; values given
/// on the command line are injected as a new cell right after it, tagged <c>injected-parameters</c>, that reassigns
/// those variables. Values are typed by the declaration: <c>string</c>, <c>int</c>, <c>double</c> or <c>bool</c>
/// (explicitly, or <c>var</c> with a literal of that type).
/// </summary>
public static class NotebookParameters
{
    /// <summary>The tag of the cell that declares the parameters.</summary>
    public const string ParametersTag = "parameters";

    /// <summary>The tag of the cell the runner inserts.</summary>
    public const string InjectedTag = "injected-parameters";

    /// <summary>Reads the parameter declarations of a <c>parameters</c> cell.</summary>
    /// <exception cref="NotebookException">A declaration has a type other than string, int, double or bool, or the
    /// cell declares nothing.</exception>
    public static IReadOnlyList<ParameterDeclaration> Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script));
        var declarations = tree.GetCompilationUnitRoot().Members
            .Select(m => m switch
            {
                FieldDeclarationSyntax f => f.Declaration,
                GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax l } => l.Declaration,
                _ => null,
            })
            .OfType<VariableDeclarationSyntax>()
            .SelectMany(d => d.Variables.Select(v => (Declaration: d, Name: v.Identifier.ValueText, Init: v.Initializer?.Value)))
            .Select(v => new ParameterDeclaration(v.Name, TypeOf(v.Declaration.Type, v.Init) ?? throw new NotebookException(
                $"parameters cell: '{v.Name}' is declared as '{v.Declaration.Type}'{(v.Init is null ? "" : $" = {v.Init}")}; " +
                "parameters must be string, int, double or bool (or var with a literal of one of these)."), v.Init?.ToString() ?? ""))
            .ToList();
        if (declarations.Count == 0)
            throw new NotebookException("parameters cell declares no variables (expected e.g. var preset = \"smoke\";).");
        return declarations;
    }

    /// <summary>The source of the <c>injected-parameters</c> cell: one typed assignment per given value.</summary>
    /// <exception cref="NotebookException">A name is not declared (the message lists the declared ones) or a value does
    /// not parse as the declared type.</exception>
    public static string BuildInjectedSource(IReadOnlyList<ParameterDeclaration> declared, IReadOnlyDictionary<string, string> values)
    {
        return "// Parameters injected by meddeblur-notebook (papermill convention).\n" + string.Join("\n", values.Select(v =>
        {
            var parameter = declared.FirstOrDefault(d => d.Name == v.Key) ?? throw new NotebookException(
                $"unknown parameter '{v.Key}'; the parameters cell declares: " +
                string.Join(", ", declared.Select(d => $"{d.Name} ({d.Type.ToString().ToLowerInvariant()})")) + ".");
            return $"{v.Key} = {Literal(parameter, v.Value)};";
        }));
    }

    /// <summary>Inserts the <c>injected-parameters</c> cell after the <c>parameters</c> cell and labels it; returns the
    /// typed values (for the papermill metadata). Nothing happens without values.</summary>
    /// <exception cref="NotebookException">Values were given but there is not exactly one parameters cell, a name is
    /// unknown or a value is not of its declared type.</exception>
    public static Dictionary<string, object> Inject(InteractiveDocument document, IReadOnlyDictionary<string, string> values,
        IDictionary<InteractiveDocumentElement, string> labels, string file)
    {
        if (values.Count == 0) return [];
        var cells = document.Elements.Where(c => NotebookExecutor.IsCode(c) && NotebookExecutor.Tags(c).Contains(ParametersTag)).ToList();
        if (cells.Count != 1)
            throw new NotebookException($"{file}: parameters were given ({string.Join(", ", values.Keys)}) but the notebook has " +
                                        $"{cells.Count} code cells tagged '{ParametersTag}' (expected exactly one).");
        var declared = Parse(cells[0].Contents);
        var injected = new InteractiveDocumentElement(BuildInjectedSource(declared, values), "csharp")
        {
            Id = InjectedTag,
            Metadata = new Dictionary<string, object>
            {
                ["dotnet_interactive"] = new Dictionary<string, object> { ["language"] = "csharp" },
                ["polyglot_notebook"] = new Dictionary<string, object> { ["kernelName"] = "csharp" },
                ["tags"] = new List<object> { InjectedTag },
            },
        };
        document.Elements.Insert(document.Elements.IndexOf(cells[0]) + 1, injected);
        labels[injected] = "injected-parameters cell";
        return values.ToDictionary(v => v.Key, v => ParseValue(declared.First(d => d.Name == v.Key), v.Value));
    }

    /// <summary>Parses a command-line <c>name=value</c> pair.</summary>
    /// <exception cref="NotebookException">There is no <c>=</c> or the name is empty.</exception>
    public static KeyValuePair<string, string> ParseAssignment(string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new NotebookException($"parameter '{assignment}' is not of the form name=value.");
        return new(assignment[..eq].Trim(), assignment[(eq + 1)..]);
    }

    /// <summary>Parses a command-line value as the declared type of <paramref name="parameter"/>
    /// (<c>string</c>, <c>int</c>, <c>double</c> or <c>bool</c>, invariant culture).</summary>
    /// <exception cref="NotebookException">The value is not of that type; the message names parameter, value and type.</exception>
    public static object ParseValue(ParameterDeclaration parameter, string value)
    {
        var c = CultureInfo.InvariantCulture;
        object? parsed = parameter.Type switch
        {
            ParameterType.String => value,
            ParameterType.Int when int.TryParse(value.Trim(), NumberStyles.Integer, c, out int i) => i,
            ParameterType.Double when double.TryParse(value.Trim(), NumberStyles.Float, c, out double d) => d,
            ParameterType.Bool when bool.TryParse(value.Trim(), out bool b) => b,
            _ => null,
        };
        string type = (parameter.Type == ParameterType.Int ? "an " : "a ") + parameter.Type.ToString().ToLowerInvariant();
        return parsed ?? throw new NotebookException($"parameter '{parameter.Name}' is {type} (declared as {parameter.DefaultValue}); '{value}' is not {type}.");
    }

    private static string Literal(ParameterDeclaration p, string value) => ParseValue(p, value) switch
    {
        string s => SymbolDisplay.FormatLiteral(s, quote: true),
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) + "d" : $"double.{(double.IsNaN(d) ? "NaN" : d > 0 ? "PositiveInfinity" : "NegativeInfinity")}",
        bool b => b ? "true" : "false",
        var other => throw new InvalidOperationException($"unexpected parameter value {other}"),
    };

    private static ParameterType? TypeOf(TypeSyntax type, ExpressionSyntax? init)
    {
        if (type is NullableTypeSyntax nullable) type = nullable.ElementType;
        if (type is PredefinedTypeSyntax predefined)
            return predefined.Keyword.Kind() switch
            {
                SyntaxKind.StringKeyword => ParameterType.String, SyntaxKind.IntKeyword => ParameterType.Int,
                SyntaxKind.DoubleKeyword => ParameterType.Double, SyntaxKind.BoolKeyword => ParameterType.Bool, _ => null,
            };
        if (!type.IsVar) return null;
        if (init is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } neg) init = neg.Operand;
        return init switch
        {
            LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } => ParameterType.String,
            LiteralExpressionSyntax { RawKind: (int)SyntaxKind.TrueLiteralExpression or (int)SyntaxKind.FalseLiteralExpression } => ParameterType.Bool,
            LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression } n =>
                n.Token.Value switch { int => ParameterType.Int, double => ParameterType.Double, _ => (ParameterType?)null },
            _ => null,
        };
    }
}
