using OrleansRpc.MessagePack;

namespace OrleansRpc.Protocol.Frames;

/// <summary>
/// A frame header: a msgpack map with str keys. The well-known keys are exposed as typed properties;
/// every entry (well-known or user) is kept in wire order so a decoded header re-encodes byte-identically.
/// </summary>
public sealed class RapHeader
{
    // An exact-size array rather than a List: a decoded header knows its size, and this is allocated per frame.
    private KeyValuePair<string, MessagePackValue>[] _entries;
    private int _count;

    /// <summary>Creates an empty header.</summary>
    public RapHeader()
        : this(4)
    {
    }

    /// <summary>Creates an empty header with room for <paramref name="capacity"/> entries.</summary>
    public RapHeader(int capacity) => _entries = capacity == 0 ? [] : new KeyValuePair<string, MessagePackValue>[capacity];

    /// <summary>Every entry in wire order.</summary>
    public IReadOnlyList<KeyValuePair<string, MessagePackValue>> Entries => new ArraySegment<KeyValuePair<string, MessagePackValue>>(_entries, 0, _count);

    /// <summary>Every entry in wire order, without allocating.</summary>
    public ReadOnlySpan<KeyValuePair<string, MessagePackValue>> EntrySpan => _entries.AsSpan(0, _count);

    /// <summary>Number of entries.</summary>
    public int Count => _count;

    /// <summary><c>target</c> when it is a str (HEAD).</summary>
    public string? Target { get; private set; }

    /// <summary><c>status_code</c> when it is an int.</summary>
    public long? StatusCode { get; private set; }

    /// <summary><c>channel_life_cycle</c> when it is a str.</summary>
    public string? ChannelLifeCycle { get; private set; }

    /// <summary><c>X-rap-deadline</c> (float or int epoch seconds, HEAD).</summary>
    public double? Deadline { get; private set; }

    /// <summary><c>user_agent</c> when it is a str (v0.5.3.8).</summary>
    public string? UserAgent { get; private set; }

    /// <summary><c>request_id</c> when it is a str (v0.5.3.8).</summary>
    public string? RequestId { get; private set; }

    /// <summary><c>session_id</c> when it is a str (v0.5.3.8).</summary>
    public string? SessionId { get; private set; }

    /// <summary><c>channel_id</c> when it is a str (v0.5.3.8).</summary>
    public string? ChannelId { get; private set; }

    /// <summary><c>crypto_id</c> when it is a str (v0.5.3.8).</summary>
    public string? CryptoId { get; private set; }

    /// <summary>Whether <c>target</c> is present with any type (present but not a str is a protocol error).</summary>
    public bool HasTargetKey { get; private set; }

    /// <summary>Whether <c>channel_life_cycle</c> is present with any type.</summary>
    public bool HasChannelLifeCycleKey { get; private set; }

    /// <summary>
    /// Whether the header is frozen: a decoded header that a connection shares between frames with identical header
    /// bytes (see <see cref="RapHeaderCache"/>). <see cref="Add"/> then throws.
    /// </summary>
    public bool IsReadOnly { get; private set; }

    // The split target of a frozen header, computed once for all the frames that share it.
    private string? _targetGroup;
    private string? _targetName;

    /// <summary>The entries whose keys are not in <see cref="RapHeaderKeys"/> (user and tracing headers).</summary>
    public IEnumerable<KeyValuePair<string, MessagePackValue>> UserEntries
    {
        get
        {
            for (var i = 0; i < _count; i++)
            {
                if (!RapHeaderKeys.IsWellKnown(_entries[i].Key))
                {
                    yield return _entries[i];
                }
            }
        }
    }

    /// <summary>Finds an entry by key.</summary>
    public bool TryGetValue(string key, out MessagePackValue value)
    {
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal))
            {
                value = _entries[i].Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Appends an entry (no duplicate check: msgpack maps from Python never repeat keys).</summary>
    public RapHeader Add(string key, MessagePackValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (IsReadOnly)
        {
            throw new InvalidOperationException("This header is shared between frames and cannot be changed.");
        }

        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, Math.Max(4, _count * 2));
        }

        _entries[_count++] = new(key, value);
        Index(key, value);
        return this;
    }

    /// <summary>
    /// Reads a header map. Returns <see langword="false"/> when the next value is not a map or a key is not a str
    /// (both are protocol errors, §2.14/§3.14); throws <see cref="MessagePackSerializationException"/> on malformed msgpack.
    /// </summary>
    public static bool TryRead(ref MessagePackReader reader, out RapHeader header) => TryRead(ref reader, null, out header);

    /// <summary>
    /// Reads a header map like <see cref="TryRead(ref MessagePackReader, out RapHeader)"/>; with a
    /// <paramref name="cache"/>, a header whose bytes were seen before is the same frozen instance again (no allocation)
    /// and well-known str values are interned.
    /// </summary>
    public static bool TryRead(ref MessagePackReader reader, RapHeaderCache? cache, out RapHeader header)
    {
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            header = null!;
            return false;
        }

        if (cache is null)
        {
            return TryReadMap(ref reader, null, out header);
        }

        // Only a fixmap of at most three entries can be shared (IsCacheable): larger headers skip the lookup.
        if (reader.NextCode is < 0x80 or > 0x83)
        {
            return TryReadMap(ref reader, cache, out header);
        }

        if (cache.TryReadKnown(ref reader, out header, out var raw))
        {
            return true;
        }

        if (!TryReadMap(ref reader, cache, out header))
        {
            return false;
        }

        cache.Remember(raw, header);
        return true;
    }

    private static bool TryReadMap(ref MessagePackReader reader, RapHeaderCache? cache, out RapHeader header)
    {
        var count = reader.ReadMapHeader();
        header = new RapHeader(count);
        for (var i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                return false;
            }

            string key;
            if (reader.TryReadStringSpan(out var span))
            {
                key = RapHeaderKeys.TryIntern(span) ?? System.Text.Encoding.UTF8.GetString(span);
            }
            else
            {
                key = reader.ReadString()!;
            }

            MessagePackValue value;
            // A one-entry header is shared whole by the cache; interning pays off for the larger per-frame ones.
            if (cache is not null && count > 1 && reader.NextMessagePackType == MessagePackType.String && IsInternedValueKey(key))
            {
                value = MessagePackValue.FromString(cache.ReadString(ref reader));
            }
            else if (cache is not null && count > 1 && key is RapHeaderKeys.Host)
            {
                // v0.5.3.8 sends its [address, port] with every frame.
                value = cache.ReadValue(ref reader);
            }
            else
            {
                value = MessagePackValue.Read(ref reader);
            }

            header.Add(key, value);
        }

        return true;
    }

    // Values that repeat on every frame of a connection (unlike request_id or session_id).
    private static bool IsInternedValueKey(string key) => key is RapHeaderKeys.Target or RapHeaderKeys.ChannelLifeCycle
        or RapHeaderKeys.Version or RapHeaderKeys.UserAgent;

    /// <summary>Whether the header holds only keys that are constant per function or channel (worth sharing).</summary>
    internal bool IsCacheable()
    {
        if (_count > 3)
        {
            return false;
        }

        for (var i = 0; i < _count; i++)
        {
            var value = _entries[i].Value;
            var constant = _entries[i].Key switch
            {
                RapHeaderKeys.Target or RapHeaderKeys.ChannelLifeCycle => value.Kind == MessagePackValueKind.String,
                RapHeaderKeys.StatusCode => value.IsInteger,
                _ => false,
            };
            if (!constant)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Makes the header read-only (it is about to be shared) and splits its target once.</summary>
    internal void Freeze()
    {
        IsReadOnly = true;
        if (RapTarget.TryParse(Target, out var group, out var name))
        {
            _targetGroup = group;
            _targetName = name;
        }
    }

    /// <summary>The split target of a frozen header (false for other headers and targets that do not parse).</summary>
    internal bool TryGetSplitTarget(out string group, out string name)
    {
        group = _targetGroup!;
        name = _targetName!;
        return _targetGroup is not null;
    }

    /// <summary>Writes the header as a map, entries in order.</summary>
    public void Write(ref MessagePackWriter writer)
    {
        writer.WriteMapHeader(_count);
        for (var i = 0; i < _count; i++)
        {
            writer.Write(_entries[i].Key);
            _entries[i].Value.Write(ref writer);
        }
    }

    private void Index(string key, MessagePackValue value)
    {
        switch (key)
        {
            case RapHeaderKeys.Target:
                HasTargetKey = true;
                Target = value.Kind == MessagePackValueKind.String ? value.AsString() : null;
                break;
            case RapHeaderKeys.StatusCode:
                StatusCode = MessagePackValues.TryGetInt64(value, out var status) ? status : null;
                break;
            case RapHeaderKeys.ChannelLifeCycle:
                HasChannelLifeCycleKey = true;
                ChannelLifeCycle = value.Kind == MessagePackValueKind.String ? value.AsString() : null;
                break;
            case RapHeaderKeys.Deadline:
                Deadline = value.Kind is MessagePackValueKind.Float64 or MessagePackValueKind.Float32 || value.IsInteger
                    ? value.AsDouble() : null;
                break;
            case RapHeaderKeys.UserAgent:
                UserAgent = AsString(value);
                break;
            case RapHeaderKeys.RequestId:
                RequestId = AsString(value);
                break;
            case RapHeaderKeys.SessionId:
                SessionId = AsString(value);
                break;
            case RapHeaderKeys.ChannelId:
                ChannelId = AsString(value);
                break;
            case RapHeaderKeys.CryptoId:
                CryptoId = AsString(value);
                break;
        }
    }

    private static string? AsString(MessagePackValue value) => value.Kind == MessagePackValueKind.String ? value.AsString() : null;
}
