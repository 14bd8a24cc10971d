namespace OrleansRpc.CeilingServer;

/// <summary>Per connection: open channels (generator or echo) and generators waiting to be streamed.</summary>
public sealed class CeilingConnectionState
{
    private readonly Dictionary<long, bool> _channels = []; // id → is a generator
    private readonly Queue<(long Id, long Count)> _generators = new();

    public void Open(long id, bool generator) => _channels[id] = generator;

    /// <summary>Null when <paramref name="id"/> has no channel, else whether it is a generator.</summary>
    public bool? Kind(long id) => _channels.TryGetValue(id, out bool generator) ? generator : null;

    public bool Close(long id) => _channels.Remove(id);

    public void QueueGenerator(long id, long count)
    {
        _channels.Remove(id);
        _generators.Enqueue((id, count));
    }

    public bool TryTakeGenerator(out long id, out long count)
    {
        if (_generators.TryDequeue(out var next))
        {
            (id, count) = next;
            return true;
        }

        id = count = 0;
        return false;
    }
}
