using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.DotNet.Interactive.Documents;

namespace MedDeblur.NotebookRunner;

/// <summary>Type of a notebook parameter, taken from its declaration in the <c>parameters</c> cell.</summary>
public enum ParameterType
{
    /// <summary><c>string</c>, or <c>var</c> with a string literal.</summary>
    String,

    /// <summary><c>int</c>, or <c>var</c> with an integer literal.</summary>
    Int,

    /// <summary><c>double</c>, or <c>var</c> with a real literal.</summary>
    Double,

    /// <summary><c>bool</c>, or <c>var</c> with <c>true</c>/<c>false</c>.</summary>
    Bool,
}

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
        var declarations = new List<ParameterDeclaration>();
        foreach (var member in tree.GetCompilationUnitRoot().Members)
        {
            VariableDeclarationSyntax? declaration = member switch
            {
                FieldDeclarationSyntax f => f.Declaration,
                GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax l } => l.Declaration,
                _ => null,
            };
            if (declaration is null) continue;
            foreach (var variable in declaration.Variables)
            {
                string name = variable.Identifier.ValueText;
                var init = variable.Initializer?.Value;
                var type = TypeOf(declaration.Type, init)
                    ?? throw new NotebookException(
                        $"parameters cell: '{name}' is declared as '{declaration.Type}'{(init is null ? "" : $" = {init}")}; " +
                        "parameters must be string, int, double or bool (or var with a literal of one of these).");
                declarations.Add(new ParameterDeclaration(name, type, init?.ToString() ?? string.Empty));
            }
        }
        if (declarations.Count == 0)
            throw new NotebookException("parameters cell declares no variables (expected e.g. var preset = \"smoke\";).");
        return declarations;
    }

    /// <summary>
    /// Builds the source of the <c>injected-parameters</c> cell: one typed assignment per given value.
    /// </summary>
    /// <exception cref="NotebookException">A name is not declared (the message lists the declared ones) or a value does
    /// not parse as the declared type.</exception>
    public static string BuildInjectedSource(IReadOnlyList<ParameterDeclaration> declared, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(declared);
        ArgumentNullException.ThrowIfNull(values);
        var text = new StringBuilder("// Parameters injected by meddeblur-notebook (papermill convention).\n");
        foreach (var (name, value) in values)
        {
            var parameter = declared.FirstOrDefault(d => d.Name == name)
                ?? throw new NotebookException(
                    $"unknown parameter '{name}'; the parameters cell declares: " +
                    string.Join(", ", declared.Select(d => $"{d.Name} ({d.Type.ToString().ToLowerInvariant()})")) + ".");
            text.Append(name).Append(" = ").Append(Literal(parameter, value)).Append(";\n");
        }
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>
    /// Inserts the <c>injected-parameters</c> cell after the <c>parameters</c> cell of <paramref name="document"/> and
    /// labels it; returns the typed values (for the notebook's papermill metadata). Nothing happens without values.
    /// </summary>
    /// <exception cref="NotebookException">Values were given but there is not exactly one parameters cell, a name is
    /// unknown or a value is not of its declared type.</exception>
    public static Dictionary<string, object> Inject(InteractiveDocument document, IReadOnlyDictionary<string, string> values,
        IDictionary<InteractiveDocumentElement, string> labels, string file)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(labels);
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
        ArgumentNullException.ThrowIfNull(assignment);
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new NotebookException($"parameter '{assignment}' is not of the form name=value.");
        return new(assignment[..eq].Trim(), assignment[(eq + 1)..]);
    }

    /// <summary>Parses a command-line value as the declared type of <paramref name="parameter"/>
    /// (<c>string</c>, <c>int</c>, <c>double</c> or <c>bool</c>, invariant culture).</summary>
    /// <exception cref="NotebookException">The value is not of that type; the message names parameter, value and type.</exception>
    public static object ParseValue(ParameterDeclaration parameter, string value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(value);
        switch (parameter.Type)
        {
            case ParameterType.String:
                return value;
            case ParameterType.Int when int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int i):
                return i;
            case ParameterType.Double when double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d):
                return d;
            case ParameterType.Bool when bool.TryParse(value.Trim(), out bool b):
                return b;
        }
        string type = parameter.Type.ToString().ToLowerInvariant();
        throw new NotebookException(
            $"parameter '{parameter.Name}' is {Article(parameter.Type)} {type} (declared as {parameter.DefaultValue}); " +
            $"'{value}' is not {Article(parameter.Type)} {type}.");
    }

    private static string Literal(ParameterDeclaration p, string value) => ParseValue(p, value) switch
    {
        string s => SymbolDisplay.FormatLiteral(s, quote: true),
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d when double.IsNaN(d) => "double.NaN",
        double d when double.IsPositiveInfinity(d) => "double.PositiveInfinity",
        double d when double.IsNegativeInfinity(d) => "double.NegativeInfinity",
        double d => d.ToString("R", CultureInfo.InvariantCulture) + "d",
        bool b => b ? "true" : "false",
        var other => throw new InvalidOperationException($"unexpected parameter value {other}"),
    };

    private static string Article(ParameterType t) => t == ParameterType.Int ? "an" : "a";

    private static ParameterType? TypeOf(TypeSyntax type, ExpressionSyntax? init)
    {
        if (type is NullableTypeSyntax nullable) type = nullable.ElementType;
        if (type is PredefinedTypeSyntax predefined)
        {
            return predefined.Keyword.Kind() switch
            {
                SyntaxKind.StringKeyword => ParameterType.String,
                SyntaxKind.IntKeyword => ParameterType.Int,
                SyntaxKind.DoubleKeyword => ParameterType.Double,
                SyntaxKind.BoolKeyword => ParameterType.Bool,
                _ => null,
            };
        }
        if (!type.IsVar) return null;
        if (init is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } neg) init = neg.Operand;
        return init switch
        {
            LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } => ParameterType.String,
            LiteralExpressionSyntax { RawKind: (int)SyntaxKind.TrueLiteralExpression or (int)SyntaxKind.FalseLiteralExpression } => ParameterType.Bool,
            LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression } n => n.Token.Value switch
            {
                int => ParameterType.Int,
                double => ParameterType.Double,
                _ => null,
            },
            _ => null,
        };
    }
}
