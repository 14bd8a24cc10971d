using OrleansRpc.Server;

namespace Quickstart;

/// <summary><c>services.AddRapServer().AddQuickstartFunctions()</c>.</summary>
public static class QuickstartBuilderExtensions
{
    public static IRapServerBuilder AddQuickstartFunctions(this IRapServerBuilder builder) => builder.AddFunctionGroup<QuickstartFunctions>();
}
