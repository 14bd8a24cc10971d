using System.Text;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Binding;

/// <summary>Matches a map key read from the body against parameter names without decoding it to a string.</summary>
internal sealed class ParameterKeyTable
{
    private readonly byte[][] _names;
    private readonly int[] _indices;

    public ParameterKeyTable(IEnumerable<(string Name, int Index)> entries)
    {
        var list = entries.ToList();
        _names = [.. list.Select(e => Encoding.UTF8.GetBytes(e.Name))];
        _indices = [.. list.Select(e => e.Index)];
    }

    /// <summary>Reads a key; returns the parameter index, or -1 with <paramref name="key"/> set (unknown key).</summary>
    public int Match(ref MessagePackReader reader, out string? key)
    {
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            // Python would call this a keyword that is not a string; rap's decoder refuses such maps anyway.
            key = PythonFormat.Str(MessagePackValue.Read(ref reader));
            return -1;
        }

        if (reader.TryReadStringSpan(out var span))
        {
            for (var i = 0; i < _names.Length; i++)
            {
                if (span.SequenceEqual(_names[i]))
                {
                    key = null;
                    return _indices[i];
                }
            }

            key = Encoding.UTF8.GetString(span);
            return -1;
        }

        var text = reader.ReadString() ?? string.Empty;
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < _names.Length; i++)
        {
            if (bytes.AsSpan().SequenceEqual(_names[i]))
            {
                key = null;
                return _indices[i];
            }
        }

        key = text;
        return -1;
    }
}
