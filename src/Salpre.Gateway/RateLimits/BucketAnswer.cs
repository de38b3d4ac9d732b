namespace Salpre.Gateway.RateLimits;

/// <summary>What a bucket said: go ahead (with how many tokens are left), wait, or it could not tell.</summary>
public readonly record struct BucketAnswer(BucketVerdict Verdict, long Remaining, TimeSpan RetryAfter)
{
    public bool Allowed => Verdict == BucketVerdict.Allowed;
}

public enum BucketVerdict
{
    Allowed,
    Limited,
    Unavailable,
}
