using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Client.Connections;

/// <summary>An answer to a client event (DECLARE, ping): type, status and the decoded body.</summary>
internal sealed class RapPendingEvent : RapPendingOperation
{
    private readonly TaskCompletionSource<RapEventAnswer> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<RapEventAnswer> Task => _completion.Task;

    public override void OnFrame(in RapFrame frame)
    {
        try
        {
            var body = MessagePackValue.Parse(frame.Body);
            _completion.TrySetResult(new RapEventAnswer(frame.MessageType, frame.Header.StatusCode ?? 200, body));
        }
        catch (Exception ex)
        {
            OnFailed(ex);
        }
    }

    public override void OnFailed(Exception exception)
    {
        // Ping answers are polled, never awaited: mark the failure observed so it does not surface as unobserved.
        if (_completion.TrySetException(exception))
        {
            _ = _completion.Task.Exception;
        }
    }
}
