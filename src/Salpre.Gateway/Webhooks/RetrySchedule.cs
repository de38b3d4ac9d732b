namespace Salpre.Gateway.Webhooks;

/// <summary>
/// When a failed delivery is tried again: immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (eight
/// attempts over about 27.6 hours), each wait stretched or shrunk by up to a fifth at random so that failures spread
/// out; a <c>Retry-After</c> answer sets the wait instead, up to a cap. Then the delivery has failed (and can be recovered).
/// </summary>
public static class RetrySchedule
{
    public const double Jitter = 0.2;

    public static readonly IReadOnlyList<TimeSpan> Waits =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    public static int Attempts => Waits.Count + 1;

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1-based), or null when none is left.</summary>
    public static TimeSpan? After(int attempt, TimeSpan? retryAfter, TimeSpan maxRetryAfter, double random)
    {
        if (attempt < 1 || attempt >= Attempts)
        {
            return null;
        }
        if (retryAfter is { } asked)
        {
            return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > maxRetryAfter ? maxRetryAfter : asked;
        }
        return Waits[attempt - 1] * (1 - Jitter + 2 * Jitter * random);
    }
}
