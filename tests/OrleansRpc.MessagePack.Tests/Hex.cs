namespace OrleansRpc.MessagePack.Tests;

/// <summary>The test suite's hex notation: lower-case bytes joined by '-'.</summary>
internal static class Hex
{
    public static byte[] Parse(string hex) =>
        hex.Length == 0 ? [] : hex.Split('-').Select(h => Convert.ToByte(h, 16)).ToArray();

    public static string Format(ReadOnlySpan<byte> bytes) => BitConverter.ToString(bytes.ToArray()).ToLowerInvariant();
}
