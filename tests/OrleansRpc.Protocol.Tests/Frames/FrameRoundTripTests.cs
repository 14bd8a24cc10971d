using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Frames;
using OrleansRpc.Protocol.Tests.Transcripts;
using OrleansRpc.Testing;

namespace OrleansRpc.Protocol.Tests.Frames;

/// <summary>Every recorded frame of every scenario decodes, and re-encodes to exactly the recorded bytes.</summary>
public class FrameRoundTripTests
{
    [Theory]
    [MemberData(nameof(TranscriptScenarios.All), MemberType = typeof(TranscriptScenarios))]
    public void Every_recorded_frame_decodes_and_reencodes_byte_identically(string version, string scenario)
    {
        var rapVersion = TranscriptScenarios.ToVersion(version);
        var frames = 0;
        var output = new ArrayBufferWriter<byte>();
        foreach (var record in TranscriptReader.Read(TranscriptScenarios.File(version, scenario)))
        {
            if (record.IsNote)
            {
                continue;
            }

            var bytes = new ReadOnlySequence<byte>(record.Bytes);
            var status = RapFrameDecoder.TryDecode(bytes, rapVersion, MessagePackReaderOptions.Default, validateBody: true, out var frame);
            Assert.True(status == RapDecodeStatus.Ok, $"line {record.LineNumber}: {status}");
            Assert.Equal(rapVersion, frame.Version);
            if (rapVersion == RapVersion.Head)
            {
                Assert.True(HeadMessageType.IsDefined(frame.MessageType), $"line {record.LineNumber}: type {frame.MessageType}");
            }

            output.ResetWrittenCount();
            RapFrameEncoder.Write(output, frame);
            Assert.True(record.Bytes.AsSpan().SequenceEqual(output.WrittenSpan),
                $"line {record.LineNumber}: re-encoded {Convert.ToHexStringLower(output.WrittenSpan)[..Math.Min(200, output.WrittenCount * 2)]} != {record.Hex[..Math.Min(200, record.Hex.Length)]}");
            frames++;
        }

        Assert.True(frames > 0);
    }

    [Fact]
    public void Decoded_frames_expose_well_known_header_fields()
    {
        // H-10 (user header) and O-16 (channel declare) from the spec's appendices.
        var head = Convert.FromHexString("94652782a6746172676574ac2f64656661756c742f73756da5582d666f6fa362617281a16101");
        Assert.Equal(RapDecodeStatus.Ok, RapFrameDecoder.TryDecode(new ReadOnlySequence<byte>(head), RapVersion.Head, MessagePackReaderOptions.Default, true, out var frame));
        Assert.Equal(101, frame.MessageType);
        Assert.Equal(39, frame.Id);
        Assert.Equal("/default/sum", frame.Header.Target);
        var user = Assert.Single(frame.Header.UserEntries);
        Assert.Equal("X-foo", user.Key);
        Assert.Equal("bar", user.Value.AsString());
        Assert.Equal("81a16101", Convert.ToHexStringLower(frame.Body.ToArray()));

        var legacy = Convert.FromHexString("9666ffa764656661756c74ac6563686f5f6368616e6e656c87b26368616e6e656c5f6c6966655f6379636c65a76465636c617265aa6368616e6e656c5f6964d92438396233366136662d613132312d343238652d623330392d313035663861343034633739aa73657373696f6e5f6964d92436656234666262382d353565642d343432382d616563632d323234373736616564386339a4686f737492a93132372e302e302e31cd465ca776657273696f6ea3302e31aa757365725f6167656e74ad507974686f6e332d302e352e33aa726571756573745f6964d92436383135323762372d303930382d346138652d386231322d376361666330313462346163c0");
        Assert.Equal(RapDecodeStatus.Ok, RapFrameDecoder.TryDecode(new ReadOnlySequence<byte>(legacy), RapVersion.V0538, MessagePackReaderOptions.Default, true, out frame));
        Assert.Equal(102, frame.MessageType);
        Assert.Equal(-1, frame.Id);
        Assert.Equal("default", frame.Group);
        Assert.Equal("echo_channel", frame.FunctionName);
        Assert.Equal("declare", frame.Header.ChannelLifeCycle);
        Assert.Equal("89b36a6f-a121-428e-b309-105f8a404c79", frame.Header.ChannelId);
        Assert.Equal("6eb4fbb8-55ed-4428-aecc-224776aed8c9", frame.Header.SessionId);
        Assert.Equal("Python3-0.5.3", frame.Header.UserAgent);
        Assert.Equal("681527b7-0908-4a8e-8b12-7cafc014b4ac", frame.Header.RequestId);
        Assert.Empty(frame.Header.UserEntries);
        Assert.Equal("c0", Convert.ToHexStringLower(frame.Body.ToArray()));
    }

    [Theory]
    [InlineData("05", RapDecodeStatus.NotArray)]
    [InlineData("93650380", RapDecodeStatus.WrongLength)]
    [InlineData("94a1610380c0", RapDecodeStatus.InvalidMessageType)]
    [InlineData("9465a16180c0", RapDecodeStatus.InvalidId)]
    [InlineData("94650390c0", RapDecodeStatus.InvalidHeader)]
    [InlineData("9465038101c0", RapDecodeStatus.InvalidHeader)]
    [InlineData("946503808101a161", RapDecodeStatus.InvalidBody)]
    [InlineData("9465038092a1618101c0", RapDecodeStatus.InvalidBody)]
    public void Malformed_head_frames_are_classified(string hex, RapDecodeStatus expected)
    {
        var status = RapFrameDecoder.TryDecode(new ReadOnlySequence<byte>(Convert.FromHexString(hex)), RapVersion.Head, MessagePackReaderOptions.Default, true, out _);
        Assert.Equal(expected, status);
    }

    [Theory]
    [InlineData("94650380c0", RapDecodeStatus.WrongLength)]
    [InlineData("966501a1610180c0", RapDecodeStatus.InvalidAddress)]
    [InlineData("966501a161a16290c0", RapDecodeStatus.InvalidHeader)]
    [InlineData("966501a161a16280c0", RapDecodeStatus.Ok)]
    public void Malformed_legacy_frames_are_classified(string hex, RapDecodeStatus expected)
    {
        var status = RapFrameDecoder.TryDecode(new ReadOnlySequence<byte>(Convert.FromHexString(hex)), RapVersion.V0538, MessagePackReaderOptions.Default, true, out _);
        Assert.Equal(expected, status);
    }

    [Fact]
    public void Head_frames_longer_than_four_elements_are_accepted_and_extras_ignored()
    {
        var bytes = Convert.FromHexString("95650380c0c3");
        Assert.Equal(RapDecodeStatus.Ok, RapFrameDecoder.TryDecode(new ReadOnlySequence<byte>(bytes), RapVersion.Head, MessagePackReaderOptions.Default, true, out var frame));
        Assert.Equal("c0", Convert.ToHexStringLower(frame.Body.ToArray()));
    }
}
