namespace OrleansRpc.Hosting.Tests.Readme;

/// <summary>One <c>```csharp</c> block of the README; <see cref="Line"/> is its first code line (1-based).</summary>
internal sealed record ReadmeCodeBlock(int Line, string Code)
{
    /// <summary>Client snippets use <c>OrleansRpc.Client</c>, the rest <c>OrleansRpc.Server</c> (both define <c>RapFunctionAttribute</c>).</summary>
    public bool IsClient => Code.Contains("RapClient", StringComparison.Ordinal);
}
