namespace OrleansRpc.Grains.Configuration;

/// <summary>Activation life cycle and idle collection (Orleans' names and defaults).</summary>
public sealed class GrainCollectionOptions
{
    public static readonly TimeSpan DEFAULT_COLLECTION_QUANTUM = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan DEFAULT_COLLECTION_AGE = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan DEFAULT_ACTIVATION_TIMEOUT = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DEFAULT_DEACTIVATION_TIMEOUT = TimeSpan.FromSeconds(30);

    /// <summary>How often idle activations are looked for. Default 1 minute.</summary>
    public TimeSpan CollectionQuantum { get; set; } = DEFAULT_COLLECTION_QUANTUM;

    /// <summary>How long an activation may stay idle before it is collected. Default 15 minutes.</summary>
    public TimeSpan CollectionAge { get; set; } = DEFAULT_COLLECTION_AGE;

    /// <summary>Per grain class (full type name) collection ages; <c>[CollectionAgeLimit]</c> takes precedence.</summary>
    public Dictionary<string, TimeSpan> ClassSpecificCollectionAge { get; } = new(StringComparer.Ordinal);

    /// <summary>The cancellation deadline for <c>OnActivateAsync</c>. Default 30 s.</summary>
    public TimeSpan ActivationTimeout { get; set; } = DEFAULT_ACTIVATION_TIMEOUT;

    /// <summary>
    /// The cancellation deadline for a deactivation: waiting for running requests plus <c>OnDeactivateAsync</c>.
    /// Default 30 s.
    /// </summary>
    public TimeSpan DeactivationTimeout { get; set; } = DEFAULT_DEACTIVATION_TIMEOUT;
}
