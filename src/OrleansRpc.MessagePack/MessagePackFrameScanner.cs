using System.Buffers;

namespace OrleansRpc.MessagePack;

/// <summary>
/// Finds where one msgpack value ends in bytes that arrive piece by piece, resuming where it stopped: every byte is
/// examined once however the frame is split (<see cref="MessagePackFrameReader"/> starts over at the frame's start on
/// every call, so a large frame trickled in small reads cost time quadratic in its size). It applies the same limits
/// as the frame reader, plus <see cref="MessagePackReaderOptions.MaxFrameElements"/>. One instance per connection;
/// not thread-safe.
/// </summary>
/// <remarks>
/// Feed it the bytes of the current frame from its start: <see cref="TryReadNext(in ReadOnlySequence{byte}, out long)"/>
/// skips the <see cref="Consumed"/> bytes it has already examined. After <see cref="MessagePackFrameStatus.Complete"/>
/// it is ready for the next frame (whose first byte follows the completed one).
/// </remarks>
public sealed class MessagePackFrameScanner
{
    // Longest header any format needs before its payload: ext 32 = code + uint32 length + type.
    private const int MaxHeaderBytes = 6;

    private readonly MessagePackReaderOptions _options;
    private long[] _stack = new long[8]; // items still expected by each open container ([0] unused); grows with the depth seen
    private int _depth;
    private long _pendingItems; // sum of the stack: each pending item needs at least one more byte
    private long _elements; // containers' declared items so far in this frame
    private long _consumed; // bytes of the current frame examined so far
    private long _skip; // payload bytes of the current str/bin/ext/number still to pass
    private readonly byte[] _headerBytes = new byte[MaxHeaderBytes]; // a header split across reads: its first bytes
    private int _headerLength;

    /// <summary>Creates a scanner applying <paramref name="options"/>.</summary>
    public MessagePackFrameScanner(MessagePackReaderOptions? options = null)
    {
        _options = options ?? MessagePackReaderOptions.Default;
    }

    /// <summary>Bytes of the current (incomplete) frame already examined: the next call starts after them.</summary>
    public long Consumed => _consumed;

    /// <summary>Every byte examined since creation (for tests and diagnostics: linear in the bytes received).</summary>
    public long TotalBytesScanned { get; private set; }

    /// <summary>Forgets the current frame (e.g. when the bytes it was fed are dropped).</summary>
    public void Reset()
    {
        _depth = 0;
        _pendingItems = 0;
        _elements = 0;
        _consumed = 0;
        _skip = 0;
        _headerLength = 0;
    }

    /// <summary>
    /// Continues the frame that starts at the start of <paramref name="frame"/>, examining only the bytes after
    /// <see cref="Consumed"/>.
    /// </summary>
    /// <param name="frame">The bytes of the current frame from its first byte (the same start as on earlier calls).</param>
    /// <param name="length">On <see cref="MessagePackFrameStatus.Complete"/>, the frame's length.</param>
    /// <exception cref="MessagePackSerializationException">0xc1 appears where a value must start.</exception>
    /// <exception cref="MessagePackLimitExceededException">The value is, or is declared to be, over a limit.</exception>
    public MessagePackFrameStatus TryReadNext(in ReadOnlySequence<byte> frame, out long length)
    {
        if (frame.Length < _consumed)
        {
            throw new ArgumentException("The frame must start where it started on the earlier calls.", nameof(frame));
        }

        foreach (ReadOnlyMemory<byte> segment in frame.Slice(_consumed))
        {
            if (Feed(segment.Span, out length))
            {
                return MessagePackFrameStatus.Complete;
            }
        }

        length = 0;
        return MessagePackFrameStatus.NeedMoreData;
    }

    /// <summary>Span form of <see cref="TryReadNext(in ReadOnlySequence{byte}, out long)"/>.</summary>
    public MessagePackFrameStatus TryReadNext(ReadOnlySpan<byte> frame, out int length)
    {
        if (frame.Length < _consumed)
        {
            throw new ArgumentException("The frame must start where it started on the earlier calls.", nameof(frame));
        }

        bool complete = Feed(frame[(int)_consumed..], out long frameLength);
        length = (int)frameLength;
        return complete ? MessagePackFrameStatus.Complete : MessagePackFrameStatus.NeedMoreData;
    }

    // Examines new bytes of the current frame; true (with the frame's length, the scanner reset) once it completed.
    private bool Feed(ReadOnlySpan<byte> chunk, out long length)
    {
        int i = 0;
        try
        {
            while (i < chunk.Length)
            {
                if (_skip > 0)
                {
                    int n = (int)Math.Min(_skip, chunk.Length - i);
                    i += n;
                    _consumed += n;
                    _skip -= n;
                    if (_skip > 0 || !CloseValue())
                    {
                        continue;
                    }

                    length = _consumed;
                    Reset();
                    return true;
                }

                // A header: decode it from this chunk, or from its first bytes kept from the chunk before.
                ReadOnlySpan<byte> head;
                int kept = _headerLength;
                if (kept > 0)
                {
                    int more = Math.Min(MaxHeaderBytes - kept, chunk.Length - i);
                    chunk.Slice(i, more).CopyTo(_headerBytes.AsSpan(kept));
                    head = _headerBytes.AsSpan(0, kept + more);
                }
                else
                {
                    head = chunk[i..];
                }

                if (!MessagePackFrameReader.DecodeHeader(head, out long headerSize, out long payload, out MessagePackFrameReader.TokenKind kind))
                {
                    // Truncated header (it is shorter than 6 bytes): keep its bytes for the next read.
                    if (kept == 0)
                    {
                        head.CopyTo(_headerBytes);
                    }

                    _headerLength = head.Length;
                    int taken = head.Length - kept;
                    i += taken;
                    _consumed += taken;
                    break;
                }

                int fromChunk = (int)headerSize - kept;
                _headerLength = 0;
                long start = _consumed - kept; // the header's offset in the frame
                long end = start + headerSize;
                i += fromChunk;
                _consumed += fromChunk;
                if (kind >= MessagePackFrameReader.TokenKind.Array)
                {
                    MessagePackFrameReader.CheckContainer(kind, payload, _options, _depth + 1);
                    long items = kind == MessagePackFrameReader.TokenKind.Map ? payload * 2 : payload;
                    MessagePackFrameReader.CheckFrame(_options.MaxFrameBytes, end + _pendingItems + items);
                    _elements += items;
                    MessagePackFrameReader.CheckElements(_options, _elements);

                    if (items > 0)
                    {
                        if (_depth + 1 == _stack.Length)
                        {
                            Array.Resize(ref _stack, Math.Min(_stack.Length * 2, _options.MaxDepth + 1));
                        }

                        _stack[++_depth] = items;
                        _pendingItems += items;
                        continue;
                    }
                }
                else
                {
                    if (kind != MessagePackFrameReader.TokenKind.Scalar)
                    {
                        MessagePackFrameReader.CheckPayload(kind, payload, _options);
                    }

                    MessagePackFrameReader.CheckFrame(_options.MaxFrameBytes, end + payload + _pendingItems);
                    if (payload > 0)
                    {
                        _skip = payload;
                        continue;
                    }
                }

                if (CloseValue())
                {
                    length = _consumed;
                    Reset();
                    return true;
                }
            }

            length = 0;
            return false;
        }
        finally
        {
            TotalBytesScanned += i;
        }
    }

    // A value just ended: close every container it completes. True when the frame (the top-level value) is complete.
    private bool CloseValue()
    {
        while (true)
        {
            if (_depth == 0)
            {
                return true;
            }

            _pendingItems--;
            if (--_stack[_depth] > 0)
            {
                return false;
            }

            _depth--;
        }
    }
}
