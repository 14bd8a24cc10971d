using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains;

/// <summary>
/// The life-cycle surface the runtime drives. <see cref="Grain"/> implements it; a plain class may too.
/// </summary>
public interface IGrainBase
{
    /// <summary>The activation this instance belongs to.</summary>
    IGrainContext GrainContext { get; }

    /// <summary>Runs before the first request is delivered; a throw fails the activation and its pending calls.</summary>
    Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once the activation is idle and about to be removed.</summary>
    Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;
}
