using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using OrleansRpc.Middleware.IpFiltering;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.Middleware.RateLimiting;

/// <summary>Evaluates <see cref="RapRateLimitOptions.Rules"/> for one call (thread-safe).</summary>
public sealed class RapRateLimiter
{
    /// <summary>Partitioned buckets kept before full (idle) ones are forgotten: header values are client-chosen.</summary>
    internal const int SweepThreshold = 10_000;

    private readonly CompiledRule[] _rules;
    private readonly ConcurrentDictionary<(int Rule, string Partition), TokenBucket> _buckets = new();
    private readonly TimeProvider _time;

    public RapRateLimiter(IOptions<RapRateLimitOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _rules = [.. options.Value.Rules.Select((rule, index) => new CompiledRule(
            rule,
            rule.Name ?? "rule" + index.ToString(CultureInfo.InvariantCulture),
            rule.ClientIp is null ? null : IpRange.Parse(rule.ClientIp)))];
    }

    /// <summary>
    /// Decides about one call. Returns null when it may run, else the refusal text rap sends with TooManyRequest
    /// (<c>Too many request. expected time: …</c>) and the rule's name.
    /// </summary>
    public (string Message, string Rule)? Check(string group, string function, string peerHost, RapHeader? header)
    {
        for (int i = 0; i < _rules.Length; i++)
        {
            CompiledRule compiled = _rules[i];
            RapRateLimitRule rule = compiled.Rule;
            if (!Matches(rule.Group, group) || !Matches(rule.Function, function))
            {
                continue;
            }

            IPAddress? peer = IPAddress.TryParse(peerHost, out IPAddress? parsed) ? PeerAddress.Normalize(parsed) : null;
            if (compiled.ClientIp is { } range && (peer is null || !range.Contains(peer)))
            {
                continue;
            }

            string? headerValue = null;
            if (rule.HeaderName is not null)
            {
                if (header is null || !header.TryGetValue(rule.HeaderName, out var value) || value.IsNil)
                {
                    continue;
                }

                headerValue = value.IsString ? value.AsString() : value.ToString();
                if (rule.HeaderValue is not null && !string.Equals(rule.HeaderValue, headerValue, StringComparison.Ordinal))
                {
                    continue;
                }
            }

            string partition = rule.PartitionBy switch
            {
                RapRateLimitPartition.ClientIp => peer?.ToString() ?? peerHost,
                RapRateLimitPartition.Header => headerValue ?? string.Empty,
                _ => string.Empty,
            };
            long now = _time.GetTimestamp();
            if (_buckets.Count > SweepThreshold)
            {
                Sweep(now);
            }

            TokenBucket bucket = _buckets.GetOrAdd((i, partition), static (_, state) => new TokenBucket(state.Rule, state.Now, state.Time), (compiled.Rule, Now: now, Time: _time));
            if (bucket.TryTake(now, _time.TimestampFrequency, out TimeSpan retryAfter))
            {
                return null;
            }

            string seconds = retryAfter.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            return ("Too many request. expected time: " + seconds, compiled.Name);
        }

        return null;
    }

    /// <summary>Forgets buckets that refilled completely: a new bucket for the same key would start the same.</summary>
    private void Sweep(long now)
    {
        foreach (var entry in _buckets)
        {
            if (entry.Value.IsFull(now))
            {
                _buckets.TryRemove(entry);
            }
        }
    }

    /// <summary>Buckets currently kept (for tests and diagnostics).</summary>
    internal int BucketCount => _buckets.Count;

    private static bool Matches(string? pattern, string value) => pattern is null or "*" || string.Equals(pattern, value, StringComparison.Ordinal);

    private sealed record CompiledRule(RapRateLimitRule Rule, string Name, IpRange? ClientIp);
}
