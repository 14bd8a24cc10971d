using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains;

/// <summary>
/// A reference to a grain. Typed references returned by <see cref="IGrainFactory"/> derive from this class and
/// implement the grain interface. The invoke methods here are the allocation-lean call path: pass a cached
/// <see cref="GrainMethod"/>, the arguments as <c>TState</c> (a value tuple, say) and a
/// <c>static</c> lambda that calls the grain.
/// </summary>
public class GrainReference : IAddressable, IEquatable<GrainReference>
{
    /// <summary>Creates a reference; used by the runtime and by generated proxies.</summary>
    protected internal GrainReference(GrainReferenceShared shared, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(shared);
        Shared = shared;
        GrainId = grainId;
    }

    /// <summary>The grain's identity.</summary>
    public GrainId GrainId { get; }

    /// <summary>The grain interface this reference was created for.</summary>
    public Type InterfaceType => Shared.InterfaceType;

    /// <summary>Shared per-(interface, class) data.</summary>
    public GrainReferenceShared Shared { get; }

    /// <summary>Calls a grain method that returns a value.</summary>
    public ValueTask<TResult> InvokeAsync<TGrain, TState, TResult>(
        GrainMethod method,
        TState state,
        Func<TGrain, TState, CancellationToken, ValueTask<TResult>> body,
        GrainCallOptions options = default)
        where TGrain : class
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(body);
        return Shared.Runtime.InvokeAsync(this, method, state, body, options);
    }

    /// <summary>Calls a grain method that returns no value.</summary>
    public ValueTask InvokeAsync<TGrain, TState>(
        GrainMethod method,
        TState state,
        Func<TGrain, TState, CancellationToken, ValueTask> body,
        GrainCallOptions options = default)
        where TGrain : class
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(body);
        return Shared.Runtime.InvokeAsync(this, method, state, body, options);
    }

    /// <summary>
    /// Calls a grain method that returns <see cref="IAsyncEnumerable{T}"/>. Nothing is sent until the first
    /// <c>MoveNextAsync</c>; items come back in batches of what the producer had ready; disposing the
    /// enumerator early disposes the producer's enumerator and cancels its token.
    /// </summary>
    public IAsyncEnumerable<TItem> InvokeAsyncEnumerable<TGrain, TState, TItem>(
        GrainMethod method,
        TState state,
        Func<TGrain, TState, CancellationToken, IAsyncEnumerable<TItem>> body,
        GrainCallOptions options = default)
        where TGrain : class
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(body);
        return Shared.Runtime.InvokeAsyncEnumerable(this, method, state, body, options);
    }

    public bool Equals(GrainReference? other) =>
        other is not null && GrainId.Equals(other.GrainId) && InterfaceType == other.InterfaceType;

    public override bool Equals(object? obj) => Equals(obj as GrainReference);

    public override int GetHashCode() => GrainId.GetHashCode();

    public override string ToString() => $"GrainReference:{GrainId}:{InterfaceType.Name}";
}
