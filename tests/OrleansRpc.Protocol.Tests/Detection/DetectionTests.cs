using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Connections;
using OrleansRpc.Protocol.Detection;
using OrleansRpc.Protocol.Tests.Connections;
using static OrleansRpc.Protocol.Tests.Connections.ConnectionHarness;

namespace OrleansRpc.Protocol.Tests.Detection;

/// <summary>§5: one port for both generations, decided by the client's first frame; nothing is sent before it.</summary>
public class DetectionTests
{
    [Theory]
    [InlineData("94670381a6746172676574af2f5f6576656e742f4445434c41524580", RapVersion.Head)]
    [InlineData("94650b81a6746172676574ac2f64656661756c742f73756d82a16101a16202", RapVersion.Head)]
    [InlineData("9665cd9f4ea764656661756c74a373756d80c0", RapVersion.V0538)]
    [InlineData("9666ffa764656661756c74ac6563686f5f6368616e6e656c80c0", RapVersion.V0538)]
    [InlineData("9667ffa0a4706f6e6780a0", RapVersion.V0538)]
    [InlineData("05", null)]
    [InlineData("93650380", null)]
    [InlineData("9563650380c0", null)]
    [InlineData("94cd03e70380c0", null)] // unknown type
    [InlineData("94650390c0", null)] // header not a map
    [InlineData("96ccc9cd9f4ea764656661756c74a373756d80c0", null)] // 201 is not a client num
    [InlineData("966501a1610180c0", null)] // func_name not a str
    [InlineData("c1", null)]
    public void First_frame_rule(string hex, RapVersion? expected) =>
        Assert.Equal(expected, RapVersionDetector.Detect(new ReadOnlySequence<byte>(Convert.FromHexString(hex))));

    [Fact]
    public void Nothing_is_sent_before_the_first_frame_and_a_4_array_makes_HEAD()
    {
        var harness = new ConnectionHarness();
        Assert.Null(harness.Connection.Version);
        harness.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(harness.TakeFrames());
        harness.FeedHex("94670381a6746172676574af2f5f6576656e742f4445434c41524582ab636c69656e745f696e666f80a86d6574616461746180");
        Assert.Equal(RapVersion.Head, harness.Connection.Version);
        var frames = harness.TakeFrames();
        Assert.Equal(103, frames[0][0].AsInt64());
        Assert.Equal(3, frames[0][1].AsInt64());
        Assert.Equal(MessagePackValueKind.String, frames[0][3]["conn_id"].Kind);
        Assert.Equal("10.0.0.7", frames[0][3]["server_info"]["host"][0].AsString());
        Assert.Equal(40000, frames[0][3]["server_info"]["host"][1].AsInt64());
        Assert.Equal("0.1", frames[0][3]["server_info"]["version"].AsString());
        // then the first server ping (HEAD: right after DECLARE).
        Assert.Equal("94cccb0481a6746172676574ac2f5f6576656e742f70696e67a0", Convert.ToHexStringLower(frames[1].ToArray()));
    }

    [Fact]
    public void A_6_array_makes_V0538_and_starts_the_pings()
    {
        var harness = new ConnectionHarness();
        harness.Feed(LegacyCall(1, "sum", LegacyHeader(), -1, 1));
        Assert.Equal(RapVersion.V0538, harness.Connection.Version);
        var ping = harness.TakeSingle();
        Assert.Equal(203, ping[0].AsInt64());
        Assert.Equal("ping", ping[3].AsString());
        Assert.Single(harness.Handler.Calls);
    }

    [Theory]
    [InlineData("c1")]
    [InlineData("05")]
    [InlineData("93650380")]
    public void Garbage_first_closes_silently(string hex)
    {
        var harness = new ConnectionHarness();
        harness.FeedHex(hex);
        Assert.True(harness.Connection.IsClosed);
        Assert.Equal(RapConnectionCloseReason.UnknownProtocol, harness.Connection.CloseReason);
        Assert.Empty(harness.TakeFrames());
    }

    [Fact]
    public void A_silent_client_is_taken_for_V0538_after_the_threshold_and_pinged()
    {
        var harness = new ConnectionHarness(o => o.LegacySilenceThreshold = TimeSpan.FromSeconds(60));
        Assert.Equal(Start + TimeSpan.FromSeconds(60), harness.Connection.NextTimerDue);
        harness.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(harness.TakeFrames());
        Assert.Null(harness.Connection.Version);
        harness.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(RapVersion.V0538, harness.Connection.Version);
        Assert.Equal("ping", harness.TakeSingle()[3].AsString());
    }

    [Fact]
    public void A_late_4_array_after_silence_switches_to_HEAD_and_stops_the_V0538_pings()
    {
        var harness = new ConnectionHarness(o =>
        {
            o.LegacySilenceThreshold = TimeSpan.FromSeconds(1);
            o.PingInterval = TimeSpan.FromSeconds(1);
            o.PingHeadClients = false;
        });
        harness.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("ping", harness.TakeSingle()[3].AsString());
        harness.DeclareHead();
        Assert.Equal(RapVersion.Head, harness.Connection.Version);
        harness.Advance(TimeSpan.FromSeconds(1));
        harness.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(harness.TakeFrames());
        harness.Feed(HeadCall(11, "/default/sum", Map()));
        Assert.Single(harness.Handler.Calls);
    }

    [Fact]
    public void After_a_6_array_the_connection_stays_V0538()
    {
        var harness = new ConnectionHarness();
        harness.Feed(LegacyCall(1, "sum", LegacyHeader()));
        harness.TakeFrames();
        harness.Feed(HeadCall(11, "/default/sum", Map()));
        Assert.Equal("protocol error", harness.TakeSingle()[5].AsString());
    }
}
