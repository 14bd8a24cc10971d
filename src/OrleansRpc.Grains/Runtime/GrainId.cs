using System.Diagnostics.CodeAnalysis;

namespace OrleansRpc.Grains.Runtime;

/// <summary>
/// A grain's identity: its <see cref="GrainType"/> and key. <see cref="ToString()"/> is <c>"{type}/{key}"</c> as in
/// Orleans; see <see cref="GrainIdKeyExtensions"/> for how Guid, integer and compound keys are written.
/// </summary>
public readonly struct GrainId : IEquatable<GrainId>, ISpanFormattable
{
    // The hash is computed once: a GrainId is looked up on every call.
    private readonly int _hashCode;

    private GrainId(GrainType type, string key)
    {
        Type = type;
        Key = key;
        _hashCode = HashCode.Combine(type, StringComparer.Ordinal.GetHashCode(key));
    }

    /// <summary>The grain type.</summary>
    public GrainType Type { get; }

    /// <summary>The key as written in the id (Guid as "N", long as upper-case hex, "+extension" for compound keys).</summary>
    public string Key { get; }

    /// <summary>Whether this is the default (empty) value.</summary>
    public bool IsDefault => Type.IsDefault;

    /// <summary>Creates an id from a grain type and a key string.</summary>
    public static GrainId Create(GrainType type, string key)
    {
        if (type.IsDefault)
        {
            throw new ArgumentException("The grain type must be set.", nameof(type));
        }

        ArgumentNullException.ThrowIfNull(key);
        return new GrainId(type, key);
    }

    /// <summary>Creates an id from a grain type name and a key string.</summary>
    public static GrainId Create(string type, string key) => Create(GrainType.Create(type), key);

    /// <summary>Parses <c>"{type}/{key}"</c>.</summary>
    public static GrainId Parse(string value) =>
        TryParse(value, out var id) ? id : throw new FormatException($"'{value}' is not a grain id of the form type/key.");

    /// <summary>Tries to parse <c>"{type}/{key}"</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out GrainId grainId)
    {
        var slash = value?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (value is null || slash <= 0)
        {
            grainId = default;
            return false;
        }

        grainId = new GrainId(GrainType.Create(value[..slash]), value[(slash + 1)..]);
        return true;
    }

    public bool Equals(GrainId other) =>
        _hashCode == other._hashCode && Type.Equals(other.Type) && string.Equals(Key, other.Key, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is GrainId other && Equals(other);

    public override int GetHashCode() => _hashCode;

    public override string ToString() => IsDefault ? string.Empty : $"{Type}/{Key}";

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite($"{Type}/{Key}", out charsWritten);

    public static bool operator ==(GrainId left, GrainId right) => left.Equals(right);

    public static bool operator !=(GrainId left, GrainId right) => !left.Equals(right);
}
