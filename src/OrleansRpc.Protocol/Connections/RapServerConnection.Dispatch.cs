using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Protocol.Connections;

/// <summary>Calls into the application, turning a handler that throws into rap's "Rpc run time error" answer.</summary>
public sealed partial class RapServerConnection
{
    private void InvokeCall(in RapCallRequest request, bool generatorStep)
    {
        try
        {
            if (generatorStep)
            {
                _handler.OnGeneratorNext(this, request);
            }
            else
            {
                _handler.OnCall(this, request);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failure outside the user function: rap answers RpcRunTimeError (HEAD 1005, v0.5.3.8 508), §2.8.
            if (_calls.ContainsKey(request.Token))
            {
                FailCall(request.Token, RapErrorKind.RpcRunTimeError, RapErrorMessages.RpcRunTimeError);
            }
        }
    }

    private void InvokeChannel(long token, in RapChannelOpenRequest request)
    {
        try
        {
            _handler.OnChannelOpen(this, request);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RejectChannel(token, RapErrorKind.RpcRunTimeError, RapErrorMessages.RpcRunTimeError);
        }
    }

    private void InvokeChannel(long token, in RapChannelMessage message)
    {
        try
        {
            _handler.OnChannelMessage(this, message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            FailChannel(token, RapErrorKind.RpcRunTimeError, RapErrorMessages.RpcRunTimeError);
        }
    }
}
