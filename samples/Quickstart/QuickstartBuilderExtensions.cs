using OrleansRpc.Server;

namespace Quickstart;

/// <summary><c>services.AddRapServer().AddQuickstartFunctions()</c>: rap README's functions and the news topics (Orleans streams; the silo needs the <c>rap</c> stream provider, as <c>UseRapLocalhostCluster</c> adds it).</summary>
public static class QuickstartBuilderExtensions
{
    public static IRapServerBuilder AddQuickstartFunctions(this IRapServerBuilder builder) => builder.AddFunctionGroup<QuickstartFunctions>().AddFunctionGroup<NewsFunctions>();
}
