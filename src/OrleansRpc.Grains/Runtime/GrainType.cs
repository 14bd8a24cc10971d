namespace OrleansRpc.Grains.Runtime;

/// <summary>
/// The type half of a <see cref="GrainId"/>. By convention the grain class name in lower case without a
/// trailing "Grain" (<c>ChatRoomGrain</c> → <c>chatroom</c>), or the value of <see cref="GrainTypeAttribute"/>.
/// </summary>
public readonly struct GrainType : IEquatable<GrainType>
{
    private GrainType(string value) => Value = value;

    /// <summary>The type name.</summary>
    public string Value { get; }

    /// <summary>Whether this is the default (empty) value.</summary>
    public bool IsDefault => Value is null;

    /// <summary>Creates a grain type from its name.</summary>
    public static GrainType Create(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        if (value.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("A grain type must not contain '/'.", nameof(value));
        }

        return new GrainType(value);
    }

    public bool Equals(GrainType other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is GrainType other && Equals(other);

    public override int GetHashCode() => Value is null ? 0 : StringComparer.Ordinal.GetHashCode(Value);

    public override string ToString() => Value ?? string.Empty;

    public static bool operator ==(GrainType left, GrainType right) => left.Equals(right);

    public static bool operator !=(GrainType left, GrainType right) => !left.Equals(right);
}
