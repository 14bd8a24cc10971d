namespace OrleansRpc.Protocol.Frames;

/// <summary>HEAD addressing: <c>"/" + group + "/" + name</c> (§2.5).</summary>
public static class RapTarget
{
    /// <summary>The default group.</summary>
    public const string DefaultGroup = "default";

    /// <summary>
    /// Splits a target the way rap does: exactly three '/'-separated parts with an empty first part
    /// (empty group or name parse, and are then simply not found).
    /// </summary>
    public static bool TryParse(string? target, out string group, out string name)
    {
        group = name = string.Empty;
        if (target is null || target.Length < 2 || target[0] != '/')
        {
            return false;
        }

        var second = target.IndexOf('/', 1);
        if (second < 0 || target.IndexOf('/', second + 1) >= 0)
        {
            return false;
        }

        group = target[1..second];
        name = target[(second + 1)..];
        return true;
    }

    /// <summary>Formats a target.</summary>
    public static string Format(string group, string name) => "/" + group + "/" + name;
}
