using System.Text;
using System.Text.Json;

namespace OrleansRpc.Testing;

/// <summary>
/// Streams a golden transcript (<c>*.jsonl</c>) line by line, so multi-megabyte recordings never sit in memory whole.
/// The <c>decoded</c> member is skipped: tests decode <c>hex</c> with the codec under test.
/// </summary>
public static class TranscriptReader
{
    /// <summary>Reads the records of <paramref name="path"/> in file order.</summary>
    public static IEnumerable<TranscriptRecord> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            yield return Parse(line, lineNumber);
        }
    }

    /// <summary>Parses one transcript line.</summary>
    public static TranscriptRecord Parse(string line, int lineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(line);
        var bytes = Encoding.UTF8.GetBytes(line);
        var json = new Utf8JsonReader(bytes);
        int connection = 0;
        var direction = TranscriptDirection.ClientToServer;
        double time = 0;
        byte[] data = [];
        string? note = null;
        json.Read();
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var name = json.GetString();
            json.Read();
            switch (name)
            {
                case "conn":
                    connection = json.GetInt32();
                    break;
                case "dir":
                    direction = json.GetString() == "s2c" ? TranscriptDirection.ServerToClient : TranscriptDirection.ClientToServer;
                    break;
                case "t_ms":
                    time = json.GetDouble();
                    break;
                case "hex":
                    data = Convert.FromHexString(json.GetString() ?? string.Empty);
                    break;
                case "decoded":
                    if (json.TokenType == JsonTokenType.StartObject)
                    {
                        note = ReadNote(ref json);
                    }
                    else
                    {
                        json.Skip();
                    }

                    break;
                default:
                    json.Skip();
                    break;
            }
        }

        return new TranscriptRecord(connection, direction, time, data, data.Length == 0 ? note ?? string.Empty : null, lineNumber);
    }

    private static string? ReadNote(ref Utf8JsonReader json)
    {
        string? note = null;
        var depth = json.CurrentDepth;
        while (json.Read() && json.CurrentDepth > depth)
        {
            if (json.TokenType == JsonTokenType.PropertyName && json.CurrentDepth == depth + 1 && json.ValueTextEquals("$note"))
            {
                json.Read();
                note = json.TokenType == JsonTokenType.String ? json.GetString() : null;
            }
        }

        return note;
    }
}
