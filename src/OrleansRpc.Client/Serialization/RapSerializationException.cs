namespace OrleansRpc.Client.Serialization;

/// <summary>A value could not be converted between .NET and msgpack.</summary>
public sealed class RapSerializationException : Exception
{
    public RapSerializationException()
    {
    }

    public RapSerializationException(string message)
        : base(message)
    {
    }

    public RapSerializationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
