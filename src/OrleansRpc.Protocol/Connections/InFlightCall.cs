using OrleansRpc.Protocol.Crypto;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Protocol.Connections;

/// <summary>Book-keeping of one call between request and answer; pooled per connection.</summary>
internal sealed class InFlightCall
{
    public long Token;
    public long WireId;
    public long CallId;
    public string Group = string.Empty;
    public string Name = string.Empty;
    public RapHeader? Header;
    public RapCryptoKey? Key;
    public bool IsGenerator;

    public void Reset()
    {
        Token = WireId = CallId = 0;
        Group = Name = string.Empty;
        Header = null;
        Key = null;
        IsGenerator = false;
    }
}
