using System.Buffers;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Server;

namespace OrleansRpc.Gateway.Protocol;

/// <summary>
/// The arguments of a call copied out of the receive buffer (the protocol hands out slices that are only valid
/// during its callback) into one pooled array that lives until the function has bound them.
/// </summary>
internal sealed class CopiedArguments : IDisposable
{
    private byte[]? _buffer;

    private CopiedArguments(byte[] buffer, RapArguments arguments)
    {
        _buffer = buffer;
        Arguments = arguments;
    }

    public RapArguments Arguments { get; }

    public static CopiedArguments From(in RapCallRequest request) =>
        Copy(request.Version, request.Positional, request.Keywords);

    /// <summary>HEAD generator parameters (the first channel MSG).</summary>
    public static CopiedArguments FromHeadBody(in ReadOnlySequence<byte> body) =>
        Copy(RapVersion.Head, default, body);

    private static CopiedArguments Copy(RapVersion version, in ReadOnlySequence<byte> positional, in ReadOnlySequence<byte> keywords)
    {
        int p = checked((int)positional.Length);
        int k = checked((int)keywords.Length);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, p + k));
        positional.CopyTo(buffer);
        keywords.CopyTo(buffer.AsSpan(p));
        var first = new ReadOnlySequence<byte>(buffer, 0, p);
        var second = new ReadOnlySequence<byte>(buffer, p, k);
        RapArguments arguments = version == RapVersion.Head ? RapArguments.Head(second) : RapArguments.Legacy(first, second);
        return new CopiedArguments(buffer, arguments);
    }

    public void Dispose()
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
