using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Frames;
using OrleansRpc.Protocol.Tests.Transcripts;
using OrleansRpc.Testing;
using static OrleansRpc.Protocol.Tests.Connections.ConnectionHarness;

namespace OrleansRpc.Protocol.Tests.Frames;

/// <summary>The per-connection header cache: shared frozen headers for repeated plain headers, bounded, byte-exact.</summary>
public class RapHeaderCacheTests
{
    private static RapFrame Decode(byte[] bytes, RapHeaderCache? cache, RapVersion version = RapVersion.Head)
    {
        var status = RapFrameDecoder.TryDecode(new ReadOnlySequence<byte>(bytes), version, MessagePackReaderOptions.Default, true, cache, out var frame);
        Assert.Equal(RapDecodeStatus.Ok, status);
        return frame;
    }

    [Fact]
    public void A_repeated_plain_header_is_one_frozen_instance_with_its_split_target()
    {
        var cache = new RapHeaderCache();
        var first = Decode(HeadCall(1, "/default/sum", Map(("a", 1))).ToArray(), cache);
        var second = Decode(HeadCall(2, "/default/sum", Map(("a", 2))).ToArray(), cache);

        Assert.Same(first.Header, second.Header);
        Assert.True(second.Header.IsReadOnly);
        Assert.Equal("/default/sum", second.Header.Target);
        Assert.True(second.Header.HasTargetKey);
        Assert.Equal(1, second.Header.Count);
        Assert.True(second.Header.TryGetSplitTarget(out var group, out var name));
        Assert.Equal(("default", "sum"), (group, name));
        Assert.Equal(2, second.Id);
        Assert.Equal("81a16102", Convert.ToHexStringLower(second.Body.ToArray()));
        Assert.Throws<InvalidOperationException>(() => second.Header.Add("X-late", "x"));

        // Without a cache every frame gets its own, writable header (the old behaviour).
        var uncached = Decode(HeadCall(3, "/default/sum", Map()).ToArray(), null);
        Assert.NotSame(first.Header, uncached.Header);
        Assert.False(uncached.Header.IsReadOnly);
    }

    [Fact]
    public void Many_targets_resolve_to_their_own_header_and_the_tables_stay_bounded()
    {
        var cache = new RapHeaderCache(capacity: 16);
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 500; i++)
            {
                var frame = Decode(HeadCall(i, $"/g{i % 7}/f{i}", Map()).ToArray(), cache);
                Assert.Equal($"/g{i % 7}/f{i}", frame.Header.Target);
                Assert.True(frame.Header.TryGetSplitTarget(out var group, out var name));
                Assert.Equal($"g{i % 7}", group);
                Assert.Equal($"f{i}", name);
                Assert.InRange(cache.HeaderCount, 1, 16);
                Assert.InRange(cache.StringCount, 0, 16);
            }
        }
    }

    [Fact]
    public void Headers_with_other_keys_are_decoded_per_frame_and_keep_every_entry()
    {
        var cache = new RapHeaderCache();
        var bytes = Array(101, 5, Map(("target", "/default/sum"), ("X-rap-deadline", 1_900_000_000.5), ("X-trace", "abc")), Map()).ToArray();
        var first = Decode(bytes, cache);
        var second = Decode(bytes, cache);

        Assert.NotSame(first.Header, second.Header);
        Assert.False(second.Header.IsReadOnly);
        Assert.Equal(0, cache.HeaderCount);
        Assert.Equal("/default/sum", second.Header.Target);
        Assert.Equal(1_900_000_000.5, second.Header.Deadline);
        Assert.True(second.Header.TryGetValue("X-trace", out var trace));
        Assert.Equal("abc", trace.AsString());
        Assert.Equal("X-trace", Assert.Single(second.Header.UserEntries).Key);

        // The target str itself is interned: no new string per frame.
        Assert.Same(first.Header.Target, second.Header.Target);
    }

    [Fact]
    public void A_target_that_is_not_a_str_is_not_shared()
    {
        var cache = new RapHeaderCache();
        var bytes = Array(101, 5, Map(("target", 42)), Map()).ToArray();
        var frame = Decode(bytes, cache);
        Assert.True(frame.Header.HasTargetKey);
        Assert.Null(frame.Header.Target);
        Assert.Equal(0, cache.HeaderCount);
    }

    [Fact]
    public void A_malformed_target_is_shared_but_has_no_split_target()
    {
        var cache = new RapHeaderCache();
        Decode(HeadCall(1, "/a/b/c", Map()).ToArray(), cache);
        var frame = Decode(HeadCall(2, "/a/b/c", Map()).ToArray(), cache);
        Assert.Equal("/a/b/c", frame.Header.Target);
        Assert.False(frame.Header.TryGetSplitTarget(out _, out _));
    }

    [Fact]
    public void Legacy_names_are_interned_and_each_frame_keeps_its_own_header()
    {
        var cache = new RapHeaderCache();
        MessagePackValue Call(long id, string requestId) => Array(101, id, "default", "sum",
            Map(("host", Array("127.0.0.1", 9000)), ("version", "0.1"), ("user_agent", "Python3-0.5.3"), ("request_id", requestId)),
            Map(("call_id", -1), ("param", Array(1, 2)), ("default_param", Map())));

        var first = Decode(Call(1, "r1").ToArray(), cache, RapVersion.V0538);
        var second = Decode(Call(2, "r2").ToArray(), cache, RapVersion.V0538);

        Assert.Same(first.Group, second.Group);
        Assert.Same(first.FunctionName, second.FunctionName);
        Assert.Equal(("default", "sum"), (second.Group, second.FunctionName));
        Assert.NotSame(first.Header, second.Header);
        Assert.Equal("r2", second.Header.RequestId);
        Assert.Same(first.Header.UserAgent, second.Header.UserAgent);
        Assert.True(second.Header.TryGetValue("host", out var host));
        Assert.Equal(Array("127.0.0.1", 9000), host);
        Assert.Equal(1, cache.ValueCount);
    }

    [Theory]
    [MemberData(nameof(TranscriptScenarios.All), MemberType = typeof(TranscriptScenarios))]
    public void Every_recorded_frame_decodes_through_a_cache_and_reencodes_byte_identically(string version, string scenario)
    {
        // Each frame twice through one cache, so the second decode is served from it where the header is plain.
        var rapVersion = TranscriptScenarios.ToVersion(version);
        var cache = new RapHeaderCache();
        var output = new ArrayBufferWriter<byte>();
        foreach (var record in TranscriptReader.Read(TranscriptScenarios.File(version, scenario)))
        {
            if (record.IsNote)
            {
                continue;
            }

            for (var pass = 0; pass < 2; pass++)
            {
                var frame = Decode(record.Bytes, cache, rapVersion);
                output.ResetWrittenCount();
                RapFrameEncoder.Write(output, frame);
                Assert.True(record.Bytes.AsSpan().SequenceEqual(output.WrittenSpan), $"line {record.LineNumber}, pass {pass}");
            }
        }
    }

    [Fact]
    public void A_repeated_plain_call_decodes_without_allocating()
    {
        var cache = new RapHeaderCache();
        var bytes = new ReadOnlySequence<byte>(HeadCall(11, "/default/sum", Map(("a", 1), ("b", 2))).ToArray());
        RapFrameDecoder.TryDecode(bytes, RapVersion.Head, MessagePackReaderOptions.Default, true, cache, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            RapFrameDecoder.TryDecode(bytes, RapVersion.Head, MessagePackReaderOptions.Default, true, cache, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
