using System.Text;
using System.Text.Json;

namespace OrleansRpc.LoadGenerator;

/// <summary>Writes one JSON object as one line.</summary>
public static class JsonLine
{
    public static void Write(TextWriter output, Action<Utf8JsonWriter> body)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(body);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
        output.Flush();
    }
}
