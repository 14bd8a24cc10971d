using OrleansRpc.MessagePack;

namespace OrleansRpc.Gateway.Tests.Infrastructure;

internal static class TestFrames
{
    /// <summary>Op and id of a <c>[op, id, arg]</c> frame.</summary>
    public static (string Op, long Id) Parse(byte[]? frame)
    {
        Assert.NotNull(frame);
        var reader = new MessagePackReader(frame);
        Assert.Equal(3, reader.ReadArrayHeader());
        return (reader.ReadString()!, reader.ReadInt64());
    }
}
