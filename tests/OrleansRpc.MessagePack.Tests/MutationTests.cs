using System.Buffers;

namespace OrleansRpc.MessagePack.Tests;

/// <summary>
/// Corrupted input (seeded byte mutations of valid frames): the frame finder and the readers only ever answer
/// Complete/NeedMoreData or throw <see cref="MessagePackSerializationException"/>, and they agree with each other.
/// </summary>
public class MutationTests
{
    [Fact]
    public void MutatedFrames_NeverCrash_AndFinderAgreesWithReader()
    {
        var random = new Random(12345);
        var options = new MessagePackReaderOptions { MaxFrameBytes = 1 << 20, MaxDepth = 16 };
        byte[] seed = MessagePackValue.FromArray(
            101,
            ulong.MaxValue,
            MessagePackValue.FromMap(("target", "/default/sum"), ("k", -70000), ("f", 1.5), ("b", new byte[] { 1, 2, 3 })),
            MessagePackValue.FromArray(MessagePackValue.FromArray(1, 2), "héllo", MessagePackValue.FromExtension(3, new byte[] { 9, 9 })),
            MessagePackValue.FromTimestamp(new MessagePackTimestamp(-3, 5))).ToArray();

        int complete = 0;
        for (int i = 0; i < 3000; i++)
        {
            byte[] bytes = (byte[])seed.Clone();
            int mutations = random.Next(1, 4);
            for (int m = 0; m < mutations; m++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            ReadOnlySequence<byte> seq = Sequences.Chunked(bytes, random.Next(1, 12));
            MessagePackFrameStatus status;
            SequencePosition end;
            try
            {
                status = MessagePackFrameReader.TryReadNext(seq, options, out end);
            }
            catch (MessagePackSerializationException)
            {
                // The same bytes as one span must fail too.
                Assert.ThrowsAny<MessagePackSerializationException>(() => MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(bytes), options, out _));
                continue;
            }

            Assert.Equal(status, MessagePackFrameReader.TryReadNext(new ReadOnlySequence<byte>(bytes), options, out SequencePosition end2));
            if (status == MessagePackFrameStatus.NeedMoreData)
            {
                // Reading must then run out of data, not succeed.
                Assert.ThrowsAny<MessagePackSerializationException>(() => MessagePackValue.Parse(seq, options));
                continue;
            }

            complete++;
            long length = seq.Slice(0, end).Length;
            Assert.Equal(length, new ReadOnlySequence<byte>(bytes).Slice(0, end2).Length);
            var reader = new MessagePackReader(seq, options);
            reader.Skip();
            Assert.Equal(length, reader.Consumed);
            try
            {
                MessagePackValue value = MessagePackValue.Parse(seq.Slice(0, end), options);
                Assert.Equal(value, MessagePackValue.Parse(value.ToArray(), options));
            }
            catch (MessagePackSerializationException)
            {
                // e.g. invalid UTF-8 in a mutated str: a clear error is fine.
            }

            for (int cut = 0; cut < length; cut++)
            {
                Assert.Equal(MessagePackFrameStatus.NeedMoreData, MessagePackFrameReader.TryReadNext(seq.Slice(0, cut), options, out _));
            }
        }

        Assert.True(complete > 100, $"only {complete} mutated frames were complete");
    }
}
