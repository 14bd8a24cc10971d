using System.Buffers;
using OrleansRpc.Client.Serialization;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client;

/// <summary>
/// The arguments of a call. HEAD sends every argument by name (a map, §2.8). v0.5.3.8 sends positional values in
/// <c>param</c> and named ones in <c>default_param</c> (§3.8), so both kinds can be held here.
/// </summary>
public sealed class RapArgs
{
    private readonly List<KeyValuePair<string, object?>> _named;
    private readonly List<object?> _positional;
    private readonly ReadOnlyMemory<byte>? _encoded;

    private RapArgs(List<KeyValuePair<string, object?>> named, List<object?> positional, ReadOnlyMemory<byte>? encoded = null)
    {
        _named = named;
        _positional = positional;
        _encoded = encoded;
    }

    // Shared, never mutated: builders copy before adding.
    private static readonly List<object?> s_noPositional = [];
    private static readonly List<KeyValuePair<string, object?>> s_noNamed = [];

    /// <summary>No arguments.</summary>
    public static RapArgs Empty { get; } = new(s_noNamed, s_noPositional);

    /// <summary>Arguments by name.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Named => _named;

    /// <summary>Positional arguments (v0.5.3.8 only).</summary>
    public IReadOnlyList<object?> Positional => _positional;

    /// <summary>From (name, value) pairs.</summary>
    public static RapArgs Of(params (string Name, object? Value)[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var named = new List<KeyValuePair<string, object?>>(args.Length);
        foreach (var (name, value) in args)
        {
            named.Add(new(name, value));
        }

        return new(named, s_noPositional);
    }

    /// <summary>From a dictionary (entry order is kept).</summary>
    public static RapArgs From(IEnumerable<KeyValuePair<string, object?>> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return new([.. args], s_noPositional);
    }

    /// <summary>From the public properties of an object (an anonymous object, a record, a POCO).</summary>
    public static RapArgs FromObject(object? args)
    {
        switch (args)
        {
            case null:
                return Empty;
            case RapArgs ready:
                return ready;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                return From(pairs);
            case System.Runtime.CompilerServices.ITuple { Length: 2 } tuple when tuple[0] is string name:
                return Of((name, tuple[1]));
        }

        // Encode through the object's map converter, then split the map back into entries (done once per call).
        var bytes = RapSerializer.Serialize<object?>(args);
        var reader = new MessagePackReader(new ReadOnlySequence<byte>(bytes));
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw new ArgumentException("Arguments must be an object with properties or a dictionary.", nameof(args));
        }

        var count = reader.ReadMapHeader();
        var named = new List<KeyValuePair<string, object?>>(count);
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString()!;
            named.Add(new(key, MessagePackValue.Read(ref reader)));
        }

        return new(named, s_noPositional);
    }

    /// <summary>Positional arguments for a v0.5.3.8 server.</summary>
    public static RapArgs PositionalOf(params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(s_noNamed, [.. values]);
    }

    /// <summary>
    /// An already encoded HEAD argument map (msgpack bytes of a str-keyed map), sent as is: for load generators and
    /// proxies that encode once and call many times. HEAD only.
    /// </summary>
    public static RapArgs FromEncoded(ReadOnlyMemory<byte> msgpackMap)
    {
        var reader = new MessagePackReader(new ReadOnlySequence<byte>(msgpackMap));
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw new ArgumentException("Encoded arguments must be one msgpack map.", nameof(msgpackMap));
        }

        reader.Skip();
        if (!reader.End)
        {
            throw new ArgumentException("Encoded arguments must be exactly one msgpack value.", nameof(msgpackMap));
        }

        return new(s_noNamed, s_noPositional, msgpackMap);
    }

    /// <summary>Builder: adds a named argument.</summary>
    public RapArgs With(string name, object? value)
    {
        if (_encoded is not null)
        {
            throw new InvalidOperationException("Encoded arguments cannot be extended.");
        }

        var named = new List<KeyValuePair<string, object?>>(_named) { new(name, value) };
        return new(named, _positional);
    }

    internal static RapArgs Create(List<KeyValuePair<string, object?>> named, List<object?> positional) => new(named, positional);

    /// <summary>HEAD body: all named arguments as one map.</summary>
    internal void WriteHeadBody(ref MessagePackWriter writer)
    {
        if (_positional.Count > 0)
        {
            throw new ArgumentException("HEAD sends arguments by name only; give each argument a name.");
        }

        if (_encoded is { } encoded)
        {
            writer.WriteRaw(encoded.Span);
            return;
        }

        WriteNamed(ref writer);
    }

    internal void WriteNamed(ref MessagePackWriter writer)
    {
        if (_encoded is not null)
        {
            throw new NotSupportedException("Encoded arguments are HEAD-only; v0.5.3.8 needs param/default_param.");
        }

        var any = RapSerializer.GetConverter<object?>();
        writer.WriteMapHeader(_named.Count);
        foreach (var entry in _named)
        {
            writer.Write(entry.Key);
            any.Write(ref writer, entry.Value);
        }
    }

    internal void WritePositional(ref MessagePackWriter writer)
    {
        var any = RapSerializer.GetConverter<object?>();
        writer.WriteArrayHeader(_positional.Count);
        foreach (var value in _positional)
        {
            any.Write(ref writer, value);
        }
    }

    /// <summary>A name → value dictionary converts implicitly.</summary>
    public static implicit operator RapArgs(Dictionary<string, object?> args) => From(args);

    /// <summary>(name, value) tuples convert implicitly.</summary>
    public static implicit operator RapArgs((string Name, object? Value) single) => Of(single);
}
