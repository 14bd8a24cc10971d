using System.Threading.Tasks.Sources;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Client.Connections;

/// <summary>
/// One outstanding unary call (or v0.5.3.8 generator step). The result is decoded on the read loop straight from the
/// receive buffer and handed over through a <see cref="ManualResetValueTaskSourceCore{TResult}"/> (one allocation per call).
/// </summary>
internal sealed class RapPendingCall<T> : RapPendingOperation, IValueTaskSource<T>
{
    private readonly RapClientConnection _connection;
    private ManualResetValueTaskSourceCore<T> _core;
    private int _done;

    public RapPendingCall(RapClientConnection connection, bool legacyGeneratorStep = false)
    {
        _connection = connection;
        LegacyGeneratorStep = legacyGeneratorStep;
        _core.RunContinuationsAsynchronously = true;
    }

    public bool LegacyGeneratorStep { get; }

    /// <summary>v0.5.3.8: the call_id the server answered with.</summary>
    public long CallId { get; private set; } = -1;

    /// <summary>v0.5.3.8 generator step: the generator is exhausted (status 301).</summary>
    public bool Ended { get; private set; }

    public ValueTask<T> Task => new(this, _core.Version);

    public override void OnFrame(in RapFrame frame)
    {
        T result;
        try
        {
            if (frame.Version == RapVersion.Head)
            {
                result = RapAnswerReader.ReadHeadCallResult<T>(frame, _connection.ReaderOptions);
            }
            else
            {
                result = RapAnswerReader.ReadLegacyCallResult<T>(frame, _connection.ReaderOptions, LegacyGeneratorStep, out var callId, out var ended);
                CallId = callId;
                Ended = ended;
            }
        }
        catch (Exception ex)
        {
            OnFailed(ex);
            return;
        }

        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            _core.SetResult(result);
        }
    }

    public override void OnFailed(Exception exception)
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            _core.SetException(exception);
        }
    }

    /// <summary>Cancellation/timeout: forget the id (a late answer is then dropped) and fail the waiter.</summary>
    public void Abandon(Exception exception)
    {
        _connection.RemovePending(Id, this);
        OnFailed(exception);
    }

    public T GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
