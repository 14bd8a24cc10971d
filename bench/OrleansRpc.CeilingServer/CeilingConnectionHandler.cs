using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using OrleansRpc.MessagePack;

namespace OrleansRpc.CeilingServer;

/// <summary>
/// Reads HEAD frames with the codec's frame finder and answers each with a canned, correct frame written straight
/// into Kestrel's pipe: one flush per read batch, generators streamed with a flush every few hundred items.
/// </summary>
public sealed class CeilingConnectionHandler : ConnectionHandler
{
    private const int ItemsPerFlush = 256;
    private static readonly MessagePackReaderOptions s_readerOptions = new();

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        PipeReader input = connection.Transport.Input;
        PipeWriter output = connection.Transport.Output;
        var state = new CeilingConnectionState();
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                bool wrote = false;
                while (!buffer.IsEmpty && MessagePackFrameReader.TryReadNext(buffer, s_readerOptions, out SequencePosition end) == MessagePackFrameStatus.Complete)
                {
                    wrote |= CeilingAnswers.Answer(buffer.Slice(0, end), output, state);
                    buffer = buffer.Slice(end);
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                while (state.TryTakeGenerator(out long id, out long count))
                {
                    for (long i = 0; i < count; i++)
                    {
                        CeilingAnswers.WriteChannelItem(output, id, i);
                        if (i % ItemsPerFlush == ItemsPerFlush - 1 && (await output.FlushAsync().ConfigureAwait(false)).IsCompleted)
                        {
                            return;
                        }
                    }

                    CeilingAnswers.WriteChannelDrop(output, id);
                    wrote = true;
                }

                if (wrote && (await output.FlushAsync().ConfigureAwait(false)).IsCompleted)
                {
                    return;
                }

                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is ConnectionResetException or IOException or MessagePackSerializationException or InvalidDataException)
        {
            // the client went away or sent something this canned server does not speak
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }
}
