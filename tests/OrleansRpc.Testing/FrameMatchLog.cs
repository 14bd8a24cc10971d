using System.Collections.Concurrent;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Testing;

/// <summary>
/// The byte-for-byte check of a transcript replay: each frame our peer produced against the recorded one (after the
/// replayer replaced what legitimately varies), counted, with readable mismatches. Thread-safe.
/// </summary>
public sealed class FrameMatchLog
{
    private readonly string _scenario;
    private int _compared;

    /// <summary>Creates the log of one scenario (named in every mismatch).</summary>
    public FrameMatchLog(string scenario) => _scenario = scenario;

    /// <summary>The mismatches found so far, readable.</summary>
    public ConcurrentQueue<string> Mismatches { get; } = new();

    /// <summary>How many frames were compared.</summary>
    public int Compared => Volatile.Read(ref _compared);

    /// <summary>Compares <paramref name="actual"/> with <paramref name="expected"/>, both one msgpack value.</summary>
    public void Compare(string what, byte[] expected, byte[] actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Interlocked.Increment(ref _compared);
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            Mismatches.Enqueue($"{_scenario} {what}:\n expected {Describe(expected)}\n actual   {Describe(actual)}");
        }
    }

    /// <summary>Records a problem found other than by comparing bytes (an extra frame, an id that does not map).</summary>
    public void Report(string mismatch) => Mismatches.Enqueue(mismatch);

    private static string Describe(byte[] frame) => $"{MessagePackValue.Parse(frame)} ({Convert.ToHexString(frame)})";
}
