using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains;

/// <summary>
/// Base class for grain implementations. Construct through DI: the runtime supplies the activation
/// context while the constructor runs, as Orleans does.
/// </summary>
public abstract class Grain : IGrainBase, IAddressable
{
    /// <summary>Creates the grain for the activation currently being constructed by the runtime.</summary>
    protected Grain()
        : this(RuntimeContext.Current ?? throw new InvalidOperationException(
            "A grain can only be created by the grain runtime. Use IGrainFactory.GetGrain to obtain a reference."))
    {
    }

    /// <summary>Creates the grain for an explicit context.</summary>
    protected Grain(IGrainContext grainContext)
    {
        ArgumentNullException.ThrowIfNull(grainContext);
        GrainContext = grainContext;
    }

    /// <inheritdoc />
    public IGrainContext GrainContext { get; }

    /// <summary>This grain's identity.</summary>
    public GrainId GrainId => GrainContext.GrainId;

    /// <summary>A printable identity, for logs.</summary>
    public string IdentityString => GrainContext.ToString() ?? GrainId.ToString();

    /// <summary>The grain factory, to call other grains.</summary>
    protected IGrainFactory GrainFactory => ServiceProvider.GetRequiredService<IGrainFactory>();

    /// <summary>The silo's service provider.</summary>
    protected IServiceProvider ServiceProvider => GrainContext.ActivationServices;

    /// <inheritdoc />
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates this activation once the current request completes.</summary>
    protected void DeactivateOnIdle() =>
        GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "DeactivateOnIdle was called."));

    /// <summary>
    /// Keeps the activation from idle collection for at least <paramref name="timeSpan"/>;
    /// <see cref="TimeSpan.MaxValue"/> keeps it until told otherwise, a non-positive span clears an earlier delay.
    /// </summary>
    protected void DelayDeactivation(TimeSpan timeSpan) => GrainContext.DelayDeactivation(timeSpan);
}
