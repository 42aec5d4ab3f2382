namespace MedDeblur.Display;

/// <summary>
/// Names the formatter source that .NET Interactive uses to display the annotated type. Declared here, not taken from
/// Microsoft.DotNet.Interactive.Formatting, so MedDeblur.Core needs no notebook package.
/// </summary>
/// <remarks>
/// The convention, as implemented in dotnet/interactive
/// <c>src/Microsoft.DotNet.Interactive.Formatting/Formatter.cs</c> (<c>TryRegisterFromFormatterSources</c> /
/// <c>TryRegisterFromConventionBasedFormatterSources</c>) and exercised by
/// <c>src/Microsoft.DotNet.Interactive.Formatting.Tests/FormatterTests.FormatterSources.cs</c>:
/// <list type="number">
/// <item>When no user-registered formatter matches, the formatter reads <c>type.GetCustomAttributes(true)</c> of the
/// value's runtime type and keeps every attribute whose type <em>name</em> is <c>TypeFormatterSourceAttribute</c>.
/// Inherited attributes of base classes are seen (this attribute is <c>Inherited = true</c>); attributes on
/// interfaces are not, hence the attribute goes on each concrete type (or a base class).</item>
/// <item>It reads the public property <c>FormatterSourceType</c>, creates that type with its public parameterless
/// constructor and calls its public <c>CreateTypeFormatters()</c>, which returns an <c>IEnumerable</c>.</item>
/// <item>Each returned object exposes a public <c>string MimeType</c> property and a public
/// <c>bool Format(object instance, TextWriter writer)</c> method; an optional <c>Type</c> property narrows the type
/// it applies to (default: the annotated type).</item>
/// <item>The optional <c>string[] PreferredMimeTypes</c> property sets the MIME types a notebook shows by default.</item>
/// </list>
/// Such formatters are registered as defaults, so they survive <c>Formatter.ResetToDefault()</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = true)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>The formatter source type; it has a public parameterless constructor and <c>CreateTypeFormatters()</c>.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>MIME types a notebook shows by default: HTML first, plain text for frontends without HTML.</summary>
    public string[] PreferredMimeTypes { get; set; } = [HtmlFormatterSource.HtmlMimeType, HtmlFormatterSource.PlainTextMimeType];
}
