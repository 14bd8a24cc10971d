namespace OrleansRpc.Gateway;

/// <summary>
/// rap-style start/stop events as a DI service: register any number; they run after the callbacks of
/// <see cref="RapGatewayOptions.OnBeforeStart"/> / <see cref="RapGatewayOptions.OnAfterStop"/>.
/// </summary>
public interface IRapGatewayLifecycleParticipant
{
    /// <summary>Runs before the host starts any service, so before the gateway accepts connections.</summary>
    Task OnBeforeStartAsync(CancellationToken cancellationToken);

    /// <summary>Runs after every service stopped and the gateway drained its connections.</summary>
    Task OnAfterStopAsync(CancellationToken cancellationToken);
}
