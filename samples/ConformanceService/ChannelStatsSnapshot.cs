using System.Text.Json.Serialization;

namespace ConformanceService;

/// <summary>The <c>channel_stats</c> map (a record: the server writes it as a msgpack map with these keys).</summary>
public sealed record ChannelStatsSnapshot(
    [property: JsonPropertyName("echo_channel_active")] int EchoChannelActive,
    [property: JsonPropertyName("echo_channel_ended")] int EchoChannelEnded,
    [property: JsonPropertyName("echo_channel_cancelled")] int EchoChannelCancelled,
    [property: JsonPropertyName("ended_tags")] IReadOnlyList<string> EndedTags);
