using System.Buffers;

namespace OrleansRpc.MessagePack.Tests;

/// <summary>Builds sequences whose segments are cut at chosen places (each piece copied to its own array).</summary>
internal static class Sequences
{
    /// <summary>Cuts <paramref name="data"/> at the given offsets (ascending; 0 and Length give empty segments).</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> data, params int[] cuts)
    {
        var pieces = new List<byte[]>();
        int start = 0;
        foreach (int cut in cuts)
        {
            pieces.Add(data[start..cut].ToArray());
            start = cut;
        }

        pieces.Add(data[start..].ToArray());
        return Build(pieces);
    }

    /// <summary>Segments of <paramref name="size"/> bytes, with an empty segment between each (readers must skip them).</summary>
    public static ReadOnlySequence<byte> Chunked(ReadOnlySpan<byte> data, int size, bool withEmptySegments = false)
    {
        var pieces = new List<byte[]>();
        for (int i = 0; i < data.Length; i += size)
        {
            pieces.Add(data.Slice(i, Math.Min(size, data.Length - i)).ToArray());
            if (withEmptySegments)
            {
                pieces.Add([]);
            }
        }

        if (pieces.Count == 0)
        {
            pieces.Add([]);
        }

        return Build(pieces);
    }

    private static ReadOnlySequence<byte> Build(List<byte[]> pieces)
    {
        var first = new TestSegment(pieces[0]);
        TestSegment last = first;
        for (int i = 1; i < pieces.Count; i++)
        {
            last = last.Append(pieces[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
