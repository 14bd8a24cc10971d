using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OrleansRpc.Middleware.IpFiltering;

/// <summary>
/// One address or CIDR range, IPv4 or IPv6. IPv4-mapped IPv6 forms (<c>::ffff:10.0.0.1</c>, <c>::ffff:10.0.0.0/104</c>) are
/// stored as IPv4, so they match IPv4 peers and mapped peers alike. Host bits beyond the prefix are ignored
/// (<c>10.1.2.3/8</c> = <c>10.0.0.0/8</c>), and, unlike rap (which expands a network to its <c>hosts()</c>), a range
/// includes its network and broadcast addresses.
/// </summary>
public readonly struct IpRange : IEquatable<IpRange>
{
    private readonly byte[] _network;

    private IpRange(byte[] network, int prefixLength)
    {
        _network = network;
        PrefixLength = prefixLength;
    }

    /// <summary>IPv4 or IPv6.</summary>
    public AddressFamily AddressFamily => _network.Length == 4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;

    /// <summary>Leading bits that must match.</summary>
    public int PrefixLength { get; }

    /// <summary>The first address of the range.</summary>
    public IPAddress Network => new(_network);

    /// <summary>Parses <c>address</c> or <c>address/prefix</c>.</summary>
    public static IpRange Parse(string text) => TryParse(text, out IpRange range)
        ? range
        : throw new FormatException($"'{text}' is not an IP address or CIDR range.");

    /// <summary>Parses <c>address</c> or <c>address/prefix</c>; false for anything else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out IpRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out IPAddress? address))
        {
            return false;
        }

        int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            // ::ffff:a.b.c.d/n covers IPv4 a.b.c.d/(n-96); a prefix shorter than 96 would reach outside the mapped block.
            if (prefix < 96)
            {
                return false;
            }

            address = address.MapToIPv4();
            prefix -= 96;
        }

        byte[] bytes = PeerAddress.Normalize(address).GetAddressBytes();
        Mask(bytes, prefix);
        range = new IpRange(bytes, prefix);
        return true;
    }

    /// <summary>Whether <paramref name="address"/> (normalized: mapped IPv6 counts as IPv4) is inside the range.</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_network is null)
        {
            return false;
        }

        address = PeerAddress.Normalize(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written) || written != _network.Length)
        {
            return false;
        }

        int full = PrefixLength / 8;
        if (!bytes[..full].SequenceEqual(_network.AsSpan(0, full)))
        {
            return false;
        }

        int rest = PrefixLength % 8;
        if (rest == 0)
        {
            return true;
        }

        byte mask = (byte)(0xFF << (8 - rest));
        return (bytes[full] & mask) == _network[full];
    }

    public bool Equals(IpRange other) =>
        PrefixLength == other.PrefixLength && (_network ?? []).AsSpan().SequenceEqual(other._network ?? []);

    public override bool Equals(object? obj) => obj is IpRange other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_network ?? []);
        hash.Add(PrefixLength);
        return hash.ToHashCode();
    }

    /// <summary><c>address</c> for a single address, else <c>network/prefix</c>.</summary>
    public override string ToString()
    {
        if (_network is null)
        {
            return string.Empty;
        }

        int max = _network.Length * 8;
        return PrefixLength == max ? Network.ToString() : string.Create(CultureInfo.InvariantCulture, $"{Network}/{PrefixLength}");
    }

    public static bool operator ==(IpRange left, IpRange right) => left.Equals(right);

    public static bool operator !=(IpRange left, IpRange right) => !left.Equals(right);

    private static void Mask(byte[] bytes, int prefix)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            int bitsHere = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bitsHere));
        }
    }
}
