using System.Globalization;

namespace OrleansRpc.Grains.Runtime;

/// <summary>
/// Key encodings, as Orleans writes them: Guid keys in "N" format, integer keys in upper-case hex,
/// compound keys as <c>key+extension</c>, string keys as they are.
/// </summary>
public static class GrainIdKeyExtensions
{
    /// <summary>Writes a Guid key, with an optional extension.</summary>
    public static string CreateGuidKey(Guid key, string? keyExtension = null) =>
        AppendExtension(key.ToString("N", CultureInfo.InvariantCulture), keyExtension);

    /// <summary>Writes an integer key, with an optional extension.</summary>
    public static string CreateIntegerKey(long key, string? keyExtension = null) =>
        AppendExtension(key.ToString("X", CultureInfo.InvariantCulture), keyExtension);

    /// <summary>Reads a Guid key (and its extension, if any).</summary>
    public static bool TryGetGuidKey(this GrainId grainId, out Guid key, out string? keyExtension)
    {
        var (head, ext) = Split(grainId.Key);
        keyExtension = ext;
        return Guid.TryParseExact(head, "N", out key);
    }

    /// <summary>Reads an integer key (and its extension, if any).</summary>
    public static bool TryGetIntegerKey(this GrainId grainId, out long key, out string? keyExtension)
    {
        var (head, ext) = Split(grainId.Key);
        keyExtension = ext;
        var ok = ulong.TryParse(head, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value);
        key = unchecked((long)value);
        return ok;
    }

    private static string AppendExtension(string key, string? keyExtension) =>
        keyExtension is null ? key : string.Concat(key, "+", keyExtension);

    private static (string Head, string? Extension) Split(string key)
    {
        var plus = key.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? (key, null) : (key[..plus], key[(plus + 1)..]);
    }
}
