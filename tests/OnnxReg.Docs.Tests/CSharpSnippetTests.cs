using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Docs.Tests;

/// <summary>
/// Every C# block of README.md and docs/ compiles against the libraries as built. A snippet is compiled as a script
/// (top-level statements, types, <c>await</c>); what it takes from its surroundings is declared in
/// <c>&lt;!-- csharp given: … --&gt;</c> markers, one line of code each (hidden on the page), and <c>&lt;!-- csharp continues --&gt;</c> compiles it
/// after the page's previous C# blocks, as a reader reads them.
/// </summary>
public partial class CSharpSnippetTests
{
    private static readonly Lazy<ScriptOptions> Options = new(() => ScriptOptions.Default
        .WithReferences(((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p)))
        // The implicit usings of a console app (ImplicitUsings in the SDK).
        .WithImports("System", "System.IO", "System.Linq", "System.Collections.Generic", "System.Net.Http", "System.Threading", "System.Threading.Tasks"));

    public static IEnumerable<TestCaseData> Snippets()
    {
        foreach (var page in MarkdownPage.All(RepositoryPaths.Root))
        {
            var earlier = new List<FencedBlock>();
            foreach (var block in page.Blocks.Where(b => b.Info == "csharp"))
            {
                var chain = block.HasMarker("csharp continues") ? earlier.Append(block).ToList() : [block];
                yield return new TestCaseData(new object[] { chain.ToArray() }).SetName($"Snippet_Compiles({block.Page}:{block.Line})");
                earlier = chain;
            }
        }
    }

    [TestCaseSource(nameof(Snippets))]
    public void Snippet_Compiles(FencedBlock[] chain)
    {
        string code = Compose(chain);
        var errors = CSharpScript.Create(code, Options.Value).Compile()
            .Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.That(errors, Is.Empty, $"{chain[^1]} does not compile; the script was:\n{code}");
    }

    /// <summary>One line of what a snippet takes from its surroundings, per marker.</summary>
    private const string Given = "csharp given:";

    /// <summary>The usings of every block first (a script takes them only at the top), then the given declarations,
    /// then the statements and types in page order.</summary>
    private static string Compose(IReadOnlyList<FencedBlock> chain)
    {
        var lines = chain.SelectMany(b => b.Markers.Where(m => m.StartsWith(Given, StringComparison.Ordinal))
                .Select(m => m[Given.Length..].Trim()).Concat(b.Lines)).ToList();
        bool IsUsingDirective(string l) => l.StartsWith("using ", StringComparison.Ordinal) && !l.StartsWith("using var ", StringComparison.Ordinal)
            && !l.StartsWith("using (", StringComparison.Ordinal) && l.TrimEnd().EndsWith(';');
        var usings = lines.Where(IsUsingDirective).Distinct();
        // A script cannot declare `using var` at its top level; the plain declaration type-checks the same.
        var statements = lines.Where(l => !IsUsingDirective(l)).Select(l => UsingDeclaration().Replace(l, "$1var "));
        return string.Join('\n', usings.Concat(statements));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\s*)using var ")]
    private static partial System.Text.RegularExpressions.Regex UsingDeclaration();
}
