using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.Streams;

/// <summary>One subscription to a stream.</summary>
public abstract class StreamSubscriptionHandle<T> : IEquatable<StreamSubscriptionHandle<T>>
{
    public abstract StreamId StreamId { get; }

    public abstract string ProviderName { get; }

    public abstract Guid HandleId { get; }

    /// <summary>Removes the subscription. A producer waiting for room in its buffer stops waiting for it.</summary>
    public abstract Task UnsubscribeAsync();

    public bool Equals(StreamSubscriptionHandle<T>? other) => other is not null && HandleId == other.HandleId;

    public override bool Equals(object? obj) => Equals(obj as StreamSubscriptionHandle<T>);

    public override int GetHashCode() => HandleId.GetHashCode();
}
