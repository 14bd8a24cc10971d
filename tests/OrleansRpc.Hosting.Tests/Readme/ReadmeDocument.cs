using System.Text.RegularExpressions;

namespace OrleansRpc.Hosting.Tests.Readme;

/// <summary>The repository's top-level README.md and its <c>```csharp</c> blocks.</summary>
internal static partial class ReadmeDocument
{
    private static readonly Lazy<IReadOnlyList<ReadmeCodeBlock>> s_blocks = new(Load);

    /// <summary>Every <c>```csharp</c> block, in document order.</summary>
    public static IReadOnlyList<ReadmeCodeBlock> CSharpBlocks => s_blocks.Value;

    /// <summary>The one block containing <paramref name="marker"/>.</summary>
    public static ReadmeCodeBlock Single(string marker) =>
        Assert.Single(CSharpBlocks, b => b.Code.Contains(marker, StringComparison.Ordinal));

    private static IReadOnlyList<ReadmeCodeBlock> Load()
    {
        string text = File.ReadAllText(Path.Combine(FindRepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        var blocks = new List<ReadmeCodeBlock>();
        foreach (Match match in CSharpFence().Matches(text))
        {
            int line = text.AsSpan(0, match.Index).Count('\n') + 2; // first line after the fence
            blocks.Add(new ReadmeCodeBlock(line, match.Groups["code"].Value));
        }

        return blocks;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansRpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("README.md not found: run the tests from inside the repository.");
    }

    [GeneratedRegex(@"^```csharp[ \t]*\n(?<code>.*?)^```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpFence();
}
