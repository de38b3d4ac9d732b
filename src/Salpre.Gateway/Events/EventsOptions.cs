namespace Salpre.Gateway.Events;

/// <summary>Bound from the <c>Events</c> configuration section.</summary>
public sealed class EventsOptions
{
    public const string Section = "Events";

    /// <summary>How long the feed keeps an event (and its deliveries); older ones are forgotten.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often each node forgets what is past <see cref="Retention"/>.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);
}
