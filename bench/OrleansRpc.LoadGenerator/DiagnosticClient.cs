using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.LoadGenerator;

/// <summary>
/// A connection of its own for the bench server's diagnostic functions (<c>/diag/allocated</c>,
/// <c>/diag/collect</c>), which answer an int. Used between load phases, never on the measured path.
/// </summary>
public sealed class DiagnosticClient : IDisposable
{
    private readonly FrameSocket _socket;
    private readonly RequestTemplates _templates;
    private uint _nextId = 3;

    public DiagnosticClient(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _socket = new FrameSocket(options.EndPoint);
        _templates = new RequestTemplates(options, _socket.LocalPort);
        Call(_templates.Declare, HeadMessageType.ClientEvent);
    }

    /// <summary><c>GC.GetTotalAllocatedBytes(precise: true)</c> of the server process.</summary>
    public long AllocatedBytes() => ReadInt(Call(_templates.Allocated, HeadMessageType.Message));

    /// <summary>Runs a full blocking GC in the server; returns its heap size afterwards.</summary>
    public long Collect() => ReadInt(Call(_templates.Collect, HeadMessageType.Message));

    /// <summary>The server's sampled allocations by type (a text table).</summary>
    public string AllocationTypes() => MessagePackValue.Parse(Call(_templates.AllocationTypes, HeadMessageType.Message)).AsString();

    private byte[] Call(FrameTemplate template, int answerType)
    {
        uint id = _nextId;
        _nextId += 2;
        template.AppendTo(_socket.Output, id);
        _socket.Flush();
        while (true)
        {
            while (_socket.TryTakeFrame(out ReadOnlyMemory<byte> frame))
            {
                ResponseFrame answer = ResponseFrame.Read(frame);
                if (answer.MessageType == answerType && answer.Id == id)
                {
                    if (answer.HasStatus)
                    {
                        throw new InvalidDataException("diagnostic call failed (is the server's diagnostics group enabled?): " + MessagePackValue.Parse(answer.Body));
                    }

                    return answer.Body.ToArray();
                }
            }

            if (!_socket.Receive())
            {
                throw new InvalidDataException("the server closed the diagnostic connection");
            }
        }
    }

    private static long ReadInt(byte[] body)
    {
        var reader = new MessagePackReader(body);
        return reader.ReadInt64();
    }

    public void Dispose() => _socket.Dispose();
}
