using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Server.Tests.Conformance;

/// <summary>
/// Replays the recorded unary requests of the golden transcripts against the conformance functions and compares
/// our answer with the answer rap's server recorded: status code, error text and, on success, the result bytes.
/// </summary>
public sealed class TranscriptBindingTests
{
    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in new[] { "error_messages_exact", "param_count_mismatch", "param_type_mismatch", "keyword_params", "positional_params", "echo_types", "unary_sync", "unary_async", "group_and_alias", "server_exception", "unknown_func", "large_str", "large_bytes" })
        {
            data.Add("head", file);
            data.Add("0.5.3.8", file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Answers_match_the_recorded_rap_server(string generation, string file)
    {
        var version = generation == "head" ? RapVersion.Head : RapVersion.V0538;
        var calls = TranscriptCall.Load(version, file);
        Assert.NotEmpty(calls);
        await using var services = TestServer.Conformance();
        var dispatcher = services.GetRequiredService<RapDispatcher>();
        foreach (var call in calls)
        {
            using var output = new PooledBufferWriter();
            var context = TestServer.Context(version);
            var result = await dispatcher.InvokeAsync(context, call.Group, call.Name, call.Arguments, output);
            var status = result.StatusCode(version);
            Assert.True(call.Status == status, $"{call}: status {status} ({result}), rap answered {call.Status} {call.ResponseBody}");
            switch (result.Outcome)
            {
                case RapCallOutcome.Success:
                    Assert.True(call.ResponseBodyBytes.AsSpan().SequenceEqual(output.WrittenSpan), $"{call}: {MessagePackValue.Parse(output.WrittenSpan)} vs recorded {call.ResponseBody}");
                    break;
                case RapCallOutcome.StatusError:
                    Assert.Equal(call.ResponseBody.AsString(), result.Message);
                    break;
                case RapCallOutcome.FunctionError when version == RapVersion.Head:
                    var recorded = call.ResponseBody.AsArray();
                    Assert.Equal(recorded[0].AsString(), result.ExceptionName);
                    if (recorded[0].AsString() != "TypeError")
                    {
                        // A TypeError's text is Python's operator message ("unsupported operand type(s) …"): only the class is comparable.
                        Assert.Equal(recorded[1].AsString(), result.Message);
                    }

                    break;
                default:
                    Assert.Equal(call.ResponseBody["exc"].AsString(), result.ExceptionName);
                    Assert.Equal(call.ResponseBody["exc_info"].AsString(), result.Message);
                    break;
            }
        }
    }
}
