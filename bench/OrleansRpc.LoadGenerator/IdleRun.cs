using System.Diagnostics;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.LoadGenerator;

/// <summary>
/// Opens N connections, DECLAREs each (answers awaited), prints one JSON line, holds them for a while and closes
/// them. No pings are sent while holding: the point is the server's memory per idle connection.
/// </summary>
public static class IdleRun
{
    public static int Run(LoadOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var sockets = new List<FrameSocket>(options.IdleConnections);
        var watch = Stopwatch.StartNew();
        int declared = 0;
        string? failure = null;
        try
        {
            const int Batch = 256;
            for (int first = 0; first < options.IdleConnections && failure is null; first += Batch)
            {
                int last = Math.Min(first + Batch, options.IdleConnections);
                for (int i = first; i < last; i++)
                {
                    var socket = new FrameSocket(options.EndPoint, 256);
                    sockets.Add(socket);
                    new RequestTemplates(options, socket.LocalPort).Declare.AppendTo(socket.Output, 3);
                    socket.Flush();
                }

                for (int i = first; i < last; i++)
                {
                    if (AwaitDeclare(sockets[i]))
                    {
                        declared++;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidDataException)
        {
            failure = ex.Message;
        }

        JsonLine.Write(output, w =>
        {
            w.WriteString("mode", "idle");
            w.WriteString("label", options.Label);
            w.WriteNumber("requested", options.IdleConnections);
            w.WriteNumber("opened", sockets.Count);
            w.WriteNumber("declared", declared);
            w.WriteNumber("open_seconds", Math.Round(watch.Elapsed.TotalSeconds, 2));
            if (failure is not null)
            {
                w.WriteString("failure", failure);
            }
        });

        Thread.Sleep(TimeSpan.FromSeconds(options.HoldSeconds));
        foreach (FrameSocket socket in sockets)
        {
            socket.Dispose();
        }

        return declared == options.IdleConnections ? 0 : 1;
    }

    private static bool AwaitDeclare(FrameSocket socket)
    {
        while (true)
        {
            while (socket.TryTakeFrame(out ReadOnlyMemory<byte> frame))
            {
                ResponseFrame answer = ResponseFrame.Read(frame);
                if (answer.MessageType == HeadMessageType.ClientEvent && answer.Id == 3)
                {
                    return !answer.HasStatus;
                }
            }

            if (!socket.Receive())
            {
                return false;
            }
        }
    }
}
