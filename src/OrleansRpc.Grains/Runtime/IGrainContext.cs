namespace OrleansRpc.Grains.Runtime;

/// <summary>One activation of a grain, as seen by the grain and by call filters.</summary>
public interface IGrainContext
{
    /// <summary>The grain's identity (stateless workers share one id per pool).</summary>
    GrainId GrainId { get; }

    /// <summary>The grain instance, once constructed.</summary>
    object? GrainInstance { get; }

    /// <summary>The silo's service provider.</summary>
    IServiceProvider ActivationServices { get; }

    /// <summary>Asks for deactivation once the activation is idle (after the current request).</summary>
    void Deactivate(DeactivationReason reason, CancellationToken cancellationToken = default);

    /// <summary>Delays idle collection; see <see cref="Grain.DelayDeactivation(TimeSpan)"/>.</summary>
    void DelayDeactivation(TimeSpan timeSpan);
}
