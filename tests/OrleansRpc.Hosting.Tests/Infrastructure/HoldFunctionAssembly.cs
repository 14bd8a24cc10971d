using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace OrleansRpc.Hosting.Tests;

/// <summary>
/// Builds a function assembly for <c>orleansrpc serve --functions</c> with one function, <c>/hold/hold</c>, that
/// returns its <c>value</c> only once the file named by <c>release</c> exists: the test decides how long the call is
/// in flight, so a drain can be observed while it runs. No CancellationToken on purpose: the call must run on
/// through the drain.
/// </summary>
internal static class HoldFunctionAssembly
{
    public const string Target = "/hold/hold";

    private const string Source = """
        using System.IO;
        using System.Threading.Tasks;
        using OrleansRpc.Server;

        namespace HoldFunctions;

        [RapGroup("hold")]
        public sealed class Hold
        {
            [RapFunction(Name = "hold")]
            public static async Task<long> Run(string release, long value)
            {
                while (!File.Exists(release))
                {
                    await Task.Delay(20).ConfigureAwait(false);
                }

                return value;
            }
        }
        """;

    /// <summary>Compiles the assembly into <paramref name="directory"/>; returns its path.</summary>
    public static string Build(string directory)
    {
        string list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
            ?? throw new InvalidOperationException("TRUSTED_PLATFORM_ASSEMBLIES is not set.");
        MetadataReference[] references = [.. list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p))];
        CSharpCompilation compilation = CSharpCompilation.Create(
            "HoldFunctions",
            [CSharpSyntaxTree.ParseText(Source, new CSharpParseOptions(LanguageVersion.Latest))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        string path = Path.Combine(directory, "HoldFunctions.dll");
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(path);
        Assert.True(result.Success, string.Join('\n', result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return path;
    }
}
