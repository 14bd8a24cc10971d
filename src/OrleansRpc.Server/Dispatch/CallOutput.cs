using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using OrleansRpc.MessagePack;
using OrleansRpc.Server.Formatters;

namespace OrleansRpc.Server.Dispatch;

/// <summary>
/// The caller's output buffer as a function sees it (one pooled object per call). A function that completes after its call was answered (run timeout) must not write into a buffer
/// the gateway may already have reused: result writes and <see cref="Detach"/> are serialized, and a detached output
/// drops the write. Pooled while calls end normally; a detached one is left to the collector.
/// </summary>
internal sealed class CallOutput : IBufferWriter<byte>
{
    private const int MaxPooled = 256;
    private static readonly ConcurrentQueue<CallOutput> s_pool = new();
    private readonly Lock _gate = new();
    private IBufferWriter<byte>? _target;


    public static CallOutput Rent(IBufferWriter<byte> target)
    {
        var output = s_pool.TryDequeue(out var pooled) ? pooled : new CallOutput();
        output._target = target;
        return output;
    }

    /// <summary>The call is over and the function is done with the output.</summary>
    public void Return()
    {
        _target = null;
        if (s_pool.Count < MaxPooled)
        {
            s_pool.Enqueue(this);
        }
    }

    /// <summary>The call was answered without the function's result: later writes are dropped. Never pooled again.</summary>
    public void Detach()
    {
        lock (_gate)
        {
            _target = null;
        }
    }

    /// <summary>Writes a result, unless the call was abandoned meanwhile.</summary>
    public void WriteLate<T>(T value, RapFormatter<T>? formatter)
    {
        lock (_gate)
        {
            if (_target is not { } target)
            {
                return;
            }

            var writer = new MessagePackWriter(target);
            if (formatter is null)
            {
                writer.WriteNil();
            }
            else
            {
                formatter.Write(ref writer, value);
            }

            writer.Flush();
        }
    }

    /// <summary>Copies an encoded result produced elsewhere, unless the call was abandoned meanwhile.</summary>
    public void WriteCopy(ReadOnlySpan<byte> encoded)
    {
        lock (_gate)
        {
            _target?.Write(encoded);
        }
    }

    public void Advance(int count) => Target.Advance(count);

    public Memory<byte> GetMemory(int sizeHint = 0) => Target.GetMemory(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Target.GetSpan(sizeHint);

    private IBufferWriter<byte> Target => _target ?? throw new InvalidOperationException("the call's output was detached");
}
