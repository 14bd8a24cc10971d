using OrleansRpc.MessagePack;

namespace OrleansRpc.Protocol.Frames;

/// <summary>Small helpers over <see cref="MessagePackValue"/> used by the protocol.</summary>
internal static class MessagePackValues
{
    public static bool TryGetInt64(MessagePackValue value, out long result)
    {
        if (value.Kind == MessagePackValueKind.Integer)
        {
            result = value.AsInt64();
            return true;
        }

        if (value.Kind == MessagePackValueKind.UnsignedInteger && value.AsUInt64() <= long.MaxValue)
        {
            result = (long)value.AsUInt64();
            return true;
        }

        result = 0;
        return false;
    }
}
