using System.Text.Json.Serialization;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>Where a call is in its lifecycle. <see cref="Unknown"/> stands for a status newer than this client.</summary>
[JsonConverter(typeof(CallStatusConverter))]
public enum CallStatus
{
    Unknown,
    Initiated,
    Ringing,
    InProgress,
    Completed,
    Busy,
    NoAnswer,
    Failed,
    Canceled,
}

/// <summary>Who placed the call. <see cref="Unknown"/> stands for a direction newer than this client.</summary>
[JsonConverter(typeof(CallDirectionConverter))]
public enum CallDirection
{
    Unknown,
    Outbound,
    Inbound,
}

/// <summary>List order by <c>started_at</c> (ties by call id).</summary>
public enum CallOrder
{
    /// <summary>Newest first, the API's default.</summary>
    Descending,
    Ascending,
}
