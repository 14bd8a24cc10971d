using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansRpc.Hosting;

/// <summary>Readiness: healthy only in <see cref="ReadinessState.Ready"/>.</summary>
internal sealed class ReadinessHealthCheck : IHealthCheck
{
    private readonly OrleansRpcReadiness _readiness;

    public ReadinessHealthCheck(OrleansRpcReadiness readiness) => _readiness = readiness;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ReadinessState state = _readiness.State;
        return Task.FromResult(state == ReadinessState.Ready
            ? HealthCheckResult.Healthy("ready")
            : HealthCheckResult.Unhealthy(state.ToString().ToLowerInvariant()));
    }
}
