using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Protocol.Frames;

/// <summary>
/// One connection's memory of the headers and names its peer repeats byte for byte, so that decoding a plain call
/// allocates nothing: a header made only of <c>target</c>, <c>channel_life_cycle</c> and <c>status_code</c> (a HEAD
/// call <c>{"target": "/g/n"}</c>, a channel MSG, an answer) is decoded once, frozen (<see cref="RapHeader.IsReadOnly"/>)
/// and handed out again for the same bytes; short strs (v0.5.3.8 group and function names, well-known header values)
/// are interned, and so is the v0.5.3.8 <c>host</c> value. Headers with other keys (deadlines, user headers, v0.5.3.8's fresh <c>request_id</c>) are decoded as
/// usual and never stored.
/// </summary>
/// <remarks>
/// Bounded: each table holds at most <c>capacity</c> entries and is cleared when full, so a peer sending endless
/// distinct targets costs a bounded amount of memory. Not thread-safe: one instance per connection, used under its lock.
/// </remarks>
public sealed class RapHeaderCache
{
    /// <summary>Default number of headers (and of strings) remembered.</summary>
    public const int DefaultCapacity = 64;

    /// <summary>Longest encoded header that is remembered.</summary>
    public const int MaxHeaderBytes = 256;

    /// <summary>Longest str (UTF-8 bytes) that is interned.</summary>
    public const int MaxStringBytes = 128;

    private readonly int _capacity;
    private Dictionary<byte[], RapHeader>? _headers;
    private Dictionary<byte[], string>? _strings;
    private Dictionary<byte[], MessagePackValue>? _values;
    private byte[]? _lastKey;
    private RapHeader? _lastHeader;

    /// <summary>Creates a cache of <see cref="DefaultCapacity"/> headers and strings.</summary>
    public RapHeaderCache()
        : this(DefaultCapacity)
    {
    }

    /// <summary>Creates a cache of at most <paramref name="capacity"/> headers and as many strings.</summary>
    public RapHeaderCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>Headers currently remembered.</summary>
    public int HeaderCount => _headers?.Count ?? 0;

    /// <summary>Strings currently interned.</summary>
    public int StringCount => _strings?.Count ?? 0;

    /// <summary>Other header values currently interned.</summary>
    public int ValueCount => _values?.Count ?? 0;

    /// <summary>
    /// Reads the header map at <paramref name="reader"/> when its bytes are known (the reader then moves past it).
    /// Otherwise leaves the reader where it was and returns in <paramref name="raw"/> the map's bytes when they may be
    /// remembered after decoding (empty when too long or not contiguous).
    /// </summary>
    internal bool TryReadKnown(ref MessagePackReader reader, out RapHeader header, out ReadOnlySpan<byte> raw)
    {
        raw = default;
        if (_lastKey is not null && reader.UnreadSequence.FirstSpan.StartsWith(_lastKey))
        {
            // msgpack is prefix-free: input that starts with a whole encoded map is that map.
            reader.ReadRaw(_lastKey.Length);
            header = _lastHeader!;
            return true;
        }

        var probe = reader;
        ReadOnlySequence<byte> bytes;
        try
        {
            bytes = probe.ReadRaw();
        }
        catch (MessagePackSerializationException)
        {
            // Let the ordinary decoder report it exactly as without a cache.
            header = null!;
            return false;
        }

        if (!bytes.IsSingleSegment || bytes.Length > MaxHeaderBytes)
        {
            header = null!;
            return false;
        }

        raw = bytes.FirstSpan;
        if (_headers is not null && _headers.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(raw, out var key, out var known))
        {
            _lastKey = key;
            _lastHeader = known;
            reader = probe;
            header = known;
            return true;
        }

        header = null!;
        return false;
    }

    /// <summary>Remembers a freshly decoded header under its encoded bytes (freezing it) when its keys allow.</summary>
    internal void Remember(ReadOnlySpan<byte> raw, RapHeader header)
    {
        if (raw.IsEmpty || !header.IsCacheable())
        {
            return;
        }

        _headers ??= new Dictionary<byte[], RapHeader>(Utf8BytesComparer.Instance);
        if (_headers.Count >= _capacity)
        {
            _headers.Clear();
        }

        var key = raw.ToArray();
        header.Freeze();
        _headers[key] = header;
        _lastKey = key;
        _lastHeader = header;
    }

    /// <summary>Reads the str at <paramref name="reader"/> (not nil), returning the interned instance for bytes seen before.</summary>
    internal string ReadString(ref MessagePackReader reader)
    {
        var probe = reader;
        if (!probe.TryReadStringSpan(out var span) || span.Length > MaxStringBytes)
        {
            return reader.ReadString()!;
        }

        if (_strings is not null && _strings.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(span, out var known))
        {
            reader = probe;
            return known;
        }

        // Decode exactly as without a cache (same UTF-8 validation), then remember.
        var text = reader.ReadString()!;
        _strings ??= new Dictionary<byte[], string>(Utf8BytesComparer.Instance);
        if (_strings.Count >= _capacity)
        {
            _strings.Clear();
        }

        _strings[span.ToArray()] = text;
        return text;
    }

    /// <summary>
    /// Reads the value at <paramref name="reader"/>, returning the instance decoded before for the same bytes (values are
    /// immutable, so frames can share them).
    /// </summary>
    internal MessagePackValue ReadValue(ref MessagePackReader reader)
    {
        var probe = reader;
        ReadOnlySequence<byte> bytes;
        try
        {
            bytes = probe.ReadRaw();
        }
        catch (MessagePackSerializationException)
        {
            return MessagePackValue.Read(ref reader);
        }

        if (!bytes.IsSingleSegment || bytes.Length > MaxStringBytes)
        {
            return MessagePackValue.Read(ref reader);
        }

        var raw = bytes.FirstSpan;
        if (_values is not null && _values.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(raw, out var known))
        {
            reader = probe;
            return known;
        }

        var value = MessagePackValue.Read(ref reader);
        _values ??= new Dictionary<byte[], MessagePackValue>(Utf8BytesComparer.Instance);
        if (_values.Count >= _capacity)
        {
            _values.Clear();
        }

        _values[raw.ToArray()] = value;
        return value;
    }
}
