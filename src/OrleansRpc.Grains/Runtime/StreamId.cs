using System.Globalization;

namespace OrleansRpc.Grains.Runtime;

/// <summary>A stream's identity: a namespace and a key. <see cref="ToString"/> is <c>"{namespace}/{key}"</c>.</summary>
public readonly struct StreamId : IEquatable<StreamId>
{
    private readonly int _hashCode;

    private StreamId(string? @namespace, string key)
    {
        Namespace = @namespace;
        Key = key;
        _hashCode = HashCode.Combine(@namespace is null ? 0 : StringComparer.Ordinal.GetHashCode(@namespace), StringComparer.Ordinal.GetHashCode(key));
    }

    /// <summary>The namespace, or null.</summary>
    public string? Namespace { get; }

    /// <summary>The key as written (Guid "N", long decimal, or the string).</summary>
    public string Key { get; }

    public static StreamId Create(string? @namespace, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new StreamId(@namespace, key);
    }

    public static StreamId Create(string? @namespace, Guid key) => new(@namespace, key.ToString("N", CultureInfo.InvariantCulture));

    public static StreamId Create(string? @namespace, long key) => new(@namespace, key.ToString(CultureInfo.InvariantCulture));

    public bool Equals(StreamId other) =>
        _hashCode == other._hashCode
        && string.Equals(Namespace, other.Namespace, StringComparison.Ordinal)
        && string.Equals(Key, other.Key, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is StreamId other && Equals(other);

    public override int GetHashCode() => _hashCode;

    public override string ToString() => Namespace is null ? Key ?? string.Empty : $"{Namespace}/{Key}";

    public static bool operator ==(StreamId left, StreamId right) => left.Equals(right);

    public static bool operator !=(StreamId left, StreamId right) => !left.Equals(right);
}
