using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansRpc.Hosting;

/// <summary>
/// Liveness: answering at all is the signal (the process and Kestrel run). It stays healthy while the
/// host drains, so the kubelet does not restart a pod that is stopping on purpose.
/// </summary>
internal sealed class LivenessHealthCheck : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy("alive"));
}
