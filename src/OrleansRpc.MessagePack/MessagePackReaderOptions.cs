namespace OrleansRpc.MessagePack;

/// <summary>
/// Limits for untrusted input. The defaults match the Python peer's own decoder (100 MiB per frame,
/// str/bin up to 100 MiB) and keep collections and nesting to sizes a server can afford.
/// </summary>
public sealed class MessagePackReaderOptions
{
    /// <summary>The largest accepted nesting depth; recursion in readers is bounded by it.</summary>
    public const int MaxSupportedDepth = 1000;

    private readonly int _maxDepth = 64;
    private readonly int _maxStringLength = 100 * 1024 * 1024;
    private readonly int _maxBinaryLength = 100 * 1024 * 1024;
    private readonly int _maxArrayLength = 16 * 1024 * 1024;
    private readonly int _maxMapLength = 8 * 1024 * 1024;
    private readonly long _maxFrameBytes = 100 * 1024 * 1024;
    private readonly long _maxFrameElements = DefaultMaxFrameElements;

    /// <summary>
    /// Default <see cref="MaxFrameElements"/>: 1 Mi. A decoded element costs ~30 bytes however small its encoding (a nil
    /// is one byte), so this keeps one frame's decoded form to a few tens of MB.
    /// </summary>
    public const long DefaultMaxFrameElements = 1024 * 1024;

    /// <summary>The safe defaults.</summary>
    public static MessagePackReaderOptions Default { get; } = new();

    /// <summary>Nesting depth of arrays and maps (a top-level array is depth 1). Default 64, at most <see cref="MaxSupportedDepth"/>.</summary>
    public int MaxDepth
    {
        get => _maxDepth;
        init => _maxDepth = value is >= 0 and <= MaxSupportedDepth ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"MaxDepth must be 0..{MaxSupportedDepth}.");
    }

    /// <summary>Bytes of one str. Default 100 MiB.</summary>
    public int MaxStringLength { get => _maxStringLength; init => _maxStringLength = NonNegative(value); }

    /// <summary>Bytes of one bin or ext payload. Default 100 MiB.</summary>
    public int MaxBinaryLength { get => _maxBinaryLength; init => _maxBinaryLength = NonNegative(value); }

    /// <summary>Elements of one array. Default 16 Mi.</summary>
    public int MaxArrayLength { get => _maxArrayLength; init => _maxArrayLength = NonNegative(value); }

    /// <summary>Entries (key/value pairs) of one map. Default 8 Mi.</summary>
    public int MaxMapLength { get => _maxMapLength; init => _maxMapLength = NonNegative(value); }

    /// <summary>Encoded bytes of one top-level value (a frame). Default 100 MiB, the Python peer's limit.</summary>
    public long MaxFrameBytes { get => _maxFrameBytes; init => _maxFrameBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxFrameBytes must be positive."); }

    /// <summary>
    /// Elements of all arrays plus keys and values of all maps in one top-level value, together. Bounds what a frame
    /// may expand to when decoded (16 MB of nils would be 16 Mi values), checked while the frame is scanned, before
    /// anything is decoded. Default <see cref="DefaultMaxFrameElements"/>.
    /// </summary>
    public long MaxFrameElements { get => _maxFrameElements; init => _maxFrameElements = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A limit cannot be negative."); }

    /// <summary>Reject str values that are not valid UTF-8 (default). When false, invalid sequences become U+FFFD.</summary>
    public bool ValidateUtf8 { get; init; } = true;

    private static int NonNegative(int value) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A limit cannot be negative.");
}
