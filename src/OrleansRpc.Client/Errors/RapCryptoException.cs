namespace OrleansRpc.Client;

/// <summary>The crypto plug-in refused the key or a body could not be decrypted: CryptoError.</summary>
public sealed class RapCryptoException : RapRemoteException
{
    public RapCryptoException()
        : this(0, string.Empty)
    {
    }

    public RapCryptoException(string message)
        : this(0, message)
    {
    }

    public RapCryptoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RapCryptoException(long statusCode, string remoteMessage)
        : base(statusCode, "CryptoError", remoteMessage)
    {
    }
}
