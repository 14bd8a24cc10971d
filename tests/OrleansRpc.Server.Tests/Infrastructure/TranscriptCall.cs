using System.Buffers;
using System.Text.Json;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Testing;

namespace OrleansRpc.Server.Tests;

/// <summary>One recorded unary call of a golden transcript: the request's raw arguments and the server's recorded answer.</summary>
internal sealed record TranscriptCall(
    string File, string Group, string Name, RapArguments Arguments, int Status, MessagePackValue ResponseBody, byte[] ResponseBodyBytes)
{
    public override string ToString() => $"{File}: /{Group}/{Name}";

    public static IReadOnlyList<TranscriptCall> Load(RapVersion version, string file)
    {
        var folder = version == RapVersion.Head ? "head" : "0.5.3.8";
        var frames = System.IO.File.ReadLines(TestData.Path("transcripts", folder, file + ".jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (Dir: e.GetProperty("dir").GetString()!, Conn: e.GetProperty("conn").GetInt32(), Bytes: Convert.FromHexString(e.GetProperty("hex").GetString()!)))
            .ToList();
        var calls = new List<TranscriptCall>();
        foreach (var request in frames.Where(f => f.Dir == "c2s"))
        {
            var parts = Split(request.Bytes);
            if (parts[0].AsInt64() != 101)
            {
                continue;
            }

            var id = parts[1].AsInt64();
            var response = frames.Where(f => f.Dir == "s2c" && f.Conn == request.Conn)
                .Select(f => (f, Split(f.Bytes)))
                .FirstOrDefault(x => x.Item2[0].AsInt64() == (version == RapVersion.Head ? 101 : 201) && x.Item2[1].AsInt64() == id);
            if (response.Item2 is null)
            {
                continue;
            }

            if (version == RapVersion.Head)
            {
                var target = parts[2]["target"].AsString().Split('/');
                var header = response.Item2[2];
                var status = header.TryGetValue("status_code", out var code) ? (int)code.AsInt64() : 200;
                calls.Add(new TranscriptCall(file, target[1], target[2], RapArguments.Head(new ReadOnlySequence<byte>(parts[3].ToArray())),
                    status, response.Item2[3], response.Item2[3].ToArray()));
            }
            else
            {
                var body = parts[5];
                var param = body.TryGetValue("param", out var p) ? p.ToArray() : [];
                var defaults = body.TryGetValue("default_param", out var d) ? d.ToArray() : [];
                var status = (int)response.Item2[4]["status_code"].AsInt64();
                var answer = response.Item2[5];
                var bytes = answer.Kind == MessagePackValueKind.Map && answer.TryGetValue("result", out var r) ? r.ToArray() : answer.ToArray();
                calls.Add(new TranscriptCall(file, parts[2].AsString(), parts[3].AsString(),
                    RapArguments.Legacy(new ReadOnlySequence<byte>(param), new ReadOnlySequence<byte>(defaults)), status, answer, bytes));
            }
        }

        return calls;
    }

    private static IReadOnlyList<MessagePackValue> Split(byte[] frame) => MessagePackValue.Parse(frame).AsArray();
}
