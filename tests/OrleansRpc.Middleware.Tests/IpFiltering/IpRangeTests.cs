using System.Net;
using OrleansRpc.Middleware.IpFiltering;

namespace OrleansRpc.Middleware.Tests.IpFiltering;

public sealed class IpRangeTests
{
    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1", true)]
    [InlineData("10.0.0.1", "10.0.0.2", false)]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.1.128/25", "192.168.1.127", false)]
    [InlineData("192.168.1.128/25", "192.168.1.128", true)]
    [InlineData("192.168.1.128/25", "192.168.1.255", true)]
    [InlineData("10.1.2.3/8", "10.9.9.9", true)] // host bits ignored
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("2001:db8::1", "2001:db8::1", true)]
    [InlineData("2001:db8::1", "2001:db8::2", false)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("fe80::/10", "febf::1", true)]
    [InlineData("::1", "::1", true)]
    [InlineData("10.0.0.1", "::ffff:10.0.0.1", true)] // mapped peer matches IPv4 entry: no bypass
    [InlineData("10.0.0.0/24", "::ffff:10.0.0.77", true)]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1", true)] // mapped entry is stored as IPv4
    [InlineData("::ffff:10.0.0.0/120", "10.0.0.200", true)]
    [InlineData("::ffff:10.0.0.0/120", "10.0.1.1", false)]
    [InlineData("10.0.0.1", "::a00:1", false)] // IPv4-compatible (not mapped) IPv6 is a different address
    [InlineData("::/0", "10.0.0.1", false)] // an IPv6 range does not cover IPv4 peers
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    public void Contains(string range, string address, bool expected) =>
        Assert.Equal(expected, IpRange.Parse(range).Contains(IPAddress.Parse(address)));

    [Theory]
    [InlineData("")]
    [InlineData("not an ip")]
    [InlineData("10.0.0.1/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0.1/-1")]
    [InlineData("10.0.0.1/ 8")]
    [InlineData("::ffff:10.0.0.0/95")]
    public void Rejects(string text) => Assert.False(IpRange.TryParse(text, out _));

    [Theory]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("10.0.0.1", "10.0.0.1")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1")]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.0/8")]
    [InlineData("2001:DB8::1/64", "2001:db8::/64")]
    public void Normalizes(string text, string expected) => Assert.Equal(expected, IpRange.Parse(text).ToString());

    [Fact]
    public void Allow_list_wins_over_the_block_list_as_in_rap()
    {
        var options = new RapIpFilterOptions();
        options.BlockList.Add("10.0.0.0/8");
        var filter = new RapIpFilter(options);
        Assert.False(filter.IsAllowed(IPAddress.Parse("10.0.0.5")));
        Assert.False(filter.IsAllowed(IPAddress.Parse("::ffff:10.0.0.5")));
        Assert.True(filter.IsAllowed(IPAddress.Parse("192.168.0.1")));

        // Once an allow list exists only its members pass, even if they are also in the block list's range.
        filter.AddAllow(["10.0.0.5", "2001:db8::/64"]);
        Assert.True(filter.IsAllowed(IPAddress.Parse("10.0.0.5")));
        Assert.True(filter.IsAllowed(IPAddress.Parse("::ffff:10.0.0.5")));
        Assert.True(filter.IsAllowed(IPAddress.Parse("2001:db8::42")));
        Assert.False(filter.IsAllowed(IPAddress.Parse("192.168.0.1")));
        Assert.False(filter.IsAllowed(IPAddress.Parse("::ffff:192.168.0.1")));
        Assert.Equal(4, filter.RefusedCount);
    }

    [Fact]
    public void Adding_to_one_list_removes_from_the_other_and_a_bad_entry_changes_nothing()
    {
        var filter = new RapIpFilter(new RapIpFilterOptions());
        filter.AddBlock(["10.0.0.1", "10.0.0.2"]);
        filter.AddAllow(["10.0.0.1"]);
        Assert.Equal(["10.0.0.2"], filter.BlockList);
        Assert.Equal(["10.0.0.1"], filter.AllowList);
        Assert.Throws<FormatException>(() => filter.AddBlock(["10.0.0.3", "nonsense"]));
        Assert.Equal(["10.0.0.2"], filter.BlockList);
        filter.RemoveAllow(["::ffff:10.0.0.1"]);
        Assert.Empty(filter.AllowList);
    }
}
