using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Crypto;
using static OrleansRpc.Protocol.Tests.Connections.ConnectionHarness;

namespace OrleansRpc.Protocol.Tests.Connections;

/// <summary>The HEAD DECLARE's <c>client_info</c> and <c>metadata</c> stay visible for the whole connection (§2.7 b).</summary>
public class ClientDeclarationTests
{
    private static MessagePackValue ClientInfo => Map(("host", Array("127.0.0.1", 9000)), ("version", "0.1"), ("user_agent", "Python3-0.0.0"));

    private static MessagePackValue Declare(MessagePackValue metadata, params (string Key, MessagePackValue Value)[] extra) =>
        Array(103, 3, Map(("target", "/_event/DECLARE")), Map([("client_info", ClientInfo), ("metadata", metadata), .. extra]));

    [Fact]
    public void Metadata_and_client_info_of_the_DECLARE_are_seen_by_later_calls_and_channels()
    {
        var harness = new ConnectionHarness(o => o.PingHeadClients = false);
        Assert.Null(harness.Connection.ClientDeclaration);

        byte[] declare = Declare(Map(("tenant", "acme"), ("level", 3), ("tags", Array("a", "b")))).ToArray();
        harness.Feed(declare);
        Assert.Equal(103, harness.TakeSingle()[0].AsInt64());

        // The values are owned copies: the receive buffer may be reused once Receive returned.
        System.Array.Clear(declare);

        harness.Feed(HeadCall(11, "/default/sum", Map(("a", 1))));
        harness.Feed(HeadCall(13, "/default/sum", Map(("a", 2))));
        harness.Feed(Array(102, 15, Map(("channel_life_cycle", "DECLARE"), ("target", "/default/chan")), Map()));

        var first = harness.Handler.Calls[0].Declaration;
        Assert.NotNull(first);
        Assert.Equal("acme", first.MetadataEntries["tenant"].AsString());
        Assert.Equal(3, first.MetadataEntries["level"].AsInt64());
        Assert.Equal(["a", "b"], first.MetadataEntries["tags"].AsArray().Select(v => v.AsString()));
        Assert.Equal(3, first.MetadataEntries.Count);
        Assert.Equal(MessagePackValueKind.Map, first.Metadata.Kind);
        Assert.Equal(ClientInfo, first.ClientInfo);
        Assert.Equal("Python3-0.0.0", first.ClientInfo["user_agent"].AsString());

        // One object per connection, not a copy per request.
        Assert.Same(first, harness.Handler.Calls[1].Declaration);
        Assert.Same(first, Assert.Single(harness.Handler.ChannelOpenDeclarations));
        Assert.Same(first, harness.Connection.ClientDeclaration);
    }

    [Fact]
    public void Empty_metadata_gives_an_empty_map()
    {
        var harness = new ConnectionHarness(o => o.PingHeadClients = false);
        harness.DeclareHead(); // H-1: metadata {}
        harness.Feed(HeadCall(11, "/default/sum", Map(("a", 1))));

        var declaration = Assert.Single(harness.Handler.Calls).Declaration;
        Assert.NotNull(declaration);
        Assert.Empty(declaration.MetadataEntries);
        Assert.Equal("0.1", declaration.ClientInfo["version"].AsString());
    }

    [Fact]
    public void Metadata_that_is_not_a_map_is_kept_as_sent_with_no_entries()
    {
        var harness = new ConnectionHarness(o => o.PingHeadClients = false);
        harness.Feed(Declare("just a string"));
        Assert.Equal(103, harness.TakeSingle()[0].AsInt64());

        var declaration = harness.Connection.ClientDeclaration;
        Assert.NotNull(declaration);
        Assert.Equal("just a string", declaration.Metadata.AsString());
        Assert.Empty(declaration.MetadataEntries);
    }

    [Fact]
    public void A_refused_DECLARE_declares_nothing()
    {
        var harness = new ConnectionHarness(o => o.PingHeadClients = false);
        harness.Feed(Array(103, 3, Map(("target", "/_event/DECLARE")), Map(("client_info", ClientInfo)))); // no metadata
        Assert.NotEqual(0, harness.TakeSingle()[2]["status_code"].AsInt64());
        Assert.Null(harness.Connection.ClientDeclaration);
    }

    [Fact]
    public void A_0538_connection_has_no_declaration()
    {
        var harness = new ConnectionHarness();
        harness.Feed(LegacyCall(5, "sum", LegacyHeader()));
        Assert.Single(harness.Handler.Calls);
        Assert.Null(harness.Handler.Calls[0].Declaration);
        Assert.Null(harness.Connection.ClientDeclaration);
    }

    [Fact]
    public void With_crypto_the_metadata_is_plain_next_to_crypto_id_and_check_body()
    {
        const string secret = "0123456789abcdef";
        var harness = new ConnectionHarness(o =>
        {
            o.CryptoKeys["test"] = secret;
            o.PingHeadClients = false;
        });
        var key = new RapCryptoKey("test", secret);
        harness.Feed(Declare(Map(("tenant", "acme")), ("crypto_id", "test"), ("check_body", RapCryptoEnvelope.SealJson(key, "\"test\""))));
        Assert.Equal(MessagePackValueKind.Map, harness.TakeSingle()[3].Kind); // accepted

        byte[] body = Map(("a", 1)).ToArray();
        var sealedBody = RapCryptoEnvelope.Seal(key, new ReadOnlySequence<byte>(body), harness.Time.GetUtcNow().ToUnixTimeSeconds(), "n1")!;
        harness.Feed(HeadCall(11, "/default/sum", sealedBody));

        var call = Assert.Single(harness.Handler.Calls);
        Assert.True(call.Encrypted);
        Assert.Equal("acme", call.Declaration!.MetadataEntries["tenant"].AsString());
        Assert.False(call.Declaration.MetadataEntries.ContainsKey("crypto_id"));
    }
}
