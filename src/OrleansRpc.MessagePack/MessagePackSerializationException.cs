namespace OrleansRpc.MessagePack;

/// <summary>Malformed or unexpected msgpack data (0xc1, bad UTF-8, wrong type, truncated value...).</summary>
public class MessagePackSerializationException : Exception
{
    public MessagePackSerializationException()
    {
    }

    public MessagePackSerializationException(string message)
        : base(message)
    {
    }

    public MessagePackSerializationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
