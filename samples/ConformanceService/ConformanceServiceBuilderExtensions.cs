using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansRpc.Server;

namespace ConformanceService;

/// <summary>Registers every conformance function: <c>services.AddRapServer(o => o.RunTimeout = TimeSpan.FromSeconds(3)).AddConformanceFunctions()</c>.</summary>
public static class ConformanceServiceBuilderExtensions
{
    /// <summary>The per-call execution limit the conformance run checks.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(3);

    public static IRapServerBuilder AddConformanceFunctions(this IRapServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<ChannelStats>();
        return builder.AddFunctionGroup<DefaultFunctions>().AddFunctionGroup<MathFunctions>();
    }
}
