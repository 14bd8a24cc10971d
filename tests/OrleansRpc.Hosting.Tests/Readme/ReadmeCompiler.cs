using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace OrleansRpc.Hosting.Tests.Readme;

/// <summary>
/// Compiles README code with Roslyn against the assemblies this test runs with (the shared frameworks and the
/// OrleansRpc assemblies), adding only the usings a reader would have: the README shows no scaffolding.
/// </summary>
internal static class ReadmeCompiler
{
    private static readonly Lazy<IReadOnlyList<MetadataReference>> s_references = new(LoadReferences);

    private static readonly string[] s_commonUsings =
    [
        "System",
        "System.Collections.Generic",
        "System.Linq",
        "System.Threading",
        "System.Threading.Tasks",
        "Microsoft.AspNetCore.Builder",
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Hosting",
        "OrleansRpc.MessagePack",
    ];

    /// <summary>Compiles <paramref name="code"/> (the block itself, or a block wrapped by a test) and loads it; fails with the diagnostics.</summary>
    public static Assembly CompileAndLoad(ReadmeCodeBlock block, string code, OutputKind kind)
    {
        string usings = string.Concat(s_commonUsings.Append(block.IsClient ? "OrleansRpc.Client" : "OrleansRpc.Server")
            .Select(u => $"global using {u};\n"));
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            $"Readme_L{block.Line}_{Guid.NewGuid():N}",
            [
                CSharpSyntaxTree.ParseText(usings, parseOptions, path: "Usings.cs"),
                CSharpSyntaxTree.ParseText(code, parseOptions, path: $"README.md:{block.Line}"),
            ],
            s_references.Value,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));

        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(
            result.Success && errors.Count == 0,
            $"README.md csharp block at line {block.Line} does not compile:\n" + string.Join('\n', errors) + "\n--- code ---\n" + code);
        return AssemblyLoadContext.Default.LoadFromStream(new MemoryStream(image.ToArray()));
    }

    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        // The host lists every managed assembly the test may load: the frameworks and the project's own dependencies.
        string list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
            ?? throw new InvalidOperationException("TRUSTED_PLATFORM_ASSEMBLIES is not set.");
        return [.. list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p))];
    }
}
