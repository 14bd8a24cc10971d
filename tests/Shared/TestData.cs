namespace OrleansRpc.Testing;

/// <summary>
/// Locates the repository's test data (<c>tests/data</c>) from a test assembly's output folder,
/// so tests never depend on paths outside the repository.
/// </summary>
internal static class TestData
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The absolute path of <c>tests/data</c>.</summary>
    public static string Root => s_root.Value;

    /// <summary>Combines <paramref name="parts"/> below <c>tests/data</c>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "OrleansRpc.sln")))
            {
                return System.IO.Path.Combine(dir.FullName, "tests", "data");
            }
        }

        throw new InvalidOperationException("tests/data not found: run the tests from inside the repository.");
    }
}
