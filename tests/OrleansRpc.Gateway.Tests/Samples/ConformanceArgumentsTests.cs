using ConformanceService;

namespace OrleansRpc.Gateway.Tests.Samples;

public sealed class ConformanceArgumentsTests
{
    [Fact]
    public void Empty_option_values_mean_not_given()
    {
        ConformanceArguments parsed = ConformanceArguments.Parse(
            ["127.0.0.1", "19100", "--tls-cert", "", "--tls-key", "", "--crypto-key-id", "", "--crypto-secret", ""]);

        Assert.Equal(new ConformanceArguments("127.0.0.1", 19100), parsed);
    }

    [Fact]
    public void Every_option_is_read()
    {
        ConformanceArguments parsed = ConformanceArguments.Parse(
            ["0.0.0.0", "9000", "--tls-cert", "a.crt", "--tls-key", "a.key", "--crypto-key-id", "test", "--crypto-secret", "0123456789abcdef", "--private-remote"]);

        Assert.Equal("a.crt", parsed.TlsCertificatePath);
        Assert.Equal("a.key", parsed.TlsKeyPath);
        Assert.Equal("test", parsed.CryptoKeyId);
        Assert.Equal("0123456789abcdef", parsed.CryptoSecret);
        Assert.True(parsed.PrivateRemote);
        Assert.Equal(9000, parsed.Port);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1", "port")]
    [InlineData("127.0.0.1", "70000")]
    [InlineData("127.0.0.1", "1", "--tls-cert", "a.crt")]
    [InlineData("127.0.0.1", "1", "--crypto-secret", "0123456789abcdef")]
    [InlineData("127.0.0.1", "1", "--bogus")]
    [InlineData("127.0.0.1", "1", "--tls-key")]
    public void Bad_command_lines_are_refused(params string[] args) =>
        Assert.Throws<ArgumentException>(() => ConformanceArguments.Parse(args));
}
