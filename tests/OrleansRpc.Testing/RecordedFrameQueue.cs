namespace OrleansRpc.Testing;

/// <summary>
/// The recorded server frames of a transcript replay, played back as the client catches up: a frame goes out once
/// the replayer says it is ready (the client sent the frames it answered), and frames sharing an order key (one
/// call or channel) keep their recorded order. Each frame is sent once.
/// </summary>
/// <typeparam name="TFrame">The replayer's description of a recorded frame.</typeparam>
public sealed class RecordedFrameQueue<TFrame>
{
    private readonly List<(TFrame Frame, string? OrderKey)> _frames = [];
    private readonly List<bool> _sent = [];

    /// <summary>The frames in recorded order.</summary>
    public IEnumerable<TFrame> Frames => _frames.Select(f => f.Frame);

    /// <summary>Appends a recorded frame; <paramref name="orderKey"/> null for one that waits for nothing but readiness.</summary>
    public void Add(TFrame frame, string? orderKey)
    {
        _frames.Add((frame, orderKey));
        _sent.Add(false);
    }

    /// <summary>
    /// Sends every frame that is ready, in order, until none is. Readiness and encoding run under
    /// <paramref name="sync"/> (the replayer's lock over the state they read); sending runs outside it.
    /// </summary>
    public async Task SendReadyAsync(Lock sync, Func<TFrame, bool> isReady, Func<TFrame, byte[]> encode, Func<byte[], Task> send)
    {
        ArgumentNullException.ThrowIfNull(isReady);
        ArgumentNullException.ThrowIfNull(encode);
        ArgumentNullException.ThrowIfNull(send);
        while (true)
        {
            byte[]? next = null;
            lock (sync)
            {
                if (TryTakeReady(isReady, out TFrame? frame))
                {
                    next = encode(frame);
                }
            }

            if (next is null)
            {
                return;
            }

            await send(next).ConfigureAwait(false);
        }
    }

    private bool TryTakeReady(Func<TFrame, bool> isReady, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TFrame frame)
    {
        for (int i = 0; i < _frames.Count; i++)
        {
            (TFrame candidate, string? key) = _frames[i];
            if (_sent[i] || !isReady(candidate) || (key is not null && IsBlocked(i, key)))
            {
                continue;
            }

            _sent[i] = true;
            frame = candidate;
            return true;
        }

        frame = default;
        return false;
    }

    private bool IsBlocked(int index, string key)
    {
        for (int j = 0; j < index; j++)
        {
            if (!_sent[j] && _frames[j].OrderKey == key)
            {
                return true;
            }
        }

        return false;
    }
}
