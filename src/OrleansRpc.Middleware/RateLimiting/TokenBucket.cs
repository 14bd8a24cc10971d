namespace OrleansRpc.Middleware.RateLimiting;

/// <summary>A token bucket refilled continuously from a <see cref="TimeProvider"/> timestamp.</summary>
internal sealed class TokenBucket
{
    private readonly Lock _sync = new();
    private readonly double _capacity;
    private readonly double _tokensPerTick;
    private double _tokens;
    private long _updatedAt;

    public TokenBucket(RapRateLimitRule rule, long now, TimeProvider time)
    {
        _capacity = rule.MaxTokens;
        _tokens = rule.InitialTokens ?? rule.MaxTokens;
        _tokensPerTick = rule.TokensPerPeriod / (rule.Period.TotalSeconds * time.TimestampFrequency);
        _updatedAt = now;
    }

    /// <summary>Whether the bucket has refilled completely by <paramref name="now"/> (forgetting it then loses nothing).</summary>
    public bool IsFull(long now)
    {
        lock (_sync)
        {
            return _tokens + (Math.Max(0, now - _updatedAt) * _tokensPerTick) >= _capacity;
        }
    }

    /// <summary>Takes one token; when empty returns false and how long until the next token.</summary>
    public bool TryTake(long now, long frequency, out TimeSpan retryAfter)
    {
        lock (_sync)
        {
            if (now > _updatedAt)
            {
                _tokens = Math.Min(_capacity, _tokens + ((now - _updatedAt) * _tokensPerTick));
                _updatedAt = now;
            }

            if (_tokens >= 1)
            {
                _tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((1 - _tokens) / (_tokensPerTick * frequency));
            return false;
        }
    }
}
