using System.Runtime.CompilerServices;

namespace Salpre.Client;

/// <summary>
/// Turns listed calls into their details (recording, transcript, variables), with a few requests in flight at once
/// and the answers kept in list order.
/// </summary>
internal static class DetailsFetcher
{
    public const int Concurrency = 16;

    public static async IAsyncEnumerable<Call> WithDetailsAsync(
        CallsClient client, IAsyncEnumerable<Call> calls, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = new Queue<Task<CallDetails>>(Concurrency);
        try
        {
            await foreach (var call in calls.WithCancellation(cancellationToken))
            {
                pending.Enqueue(client.GetAsync(call.CallId, stop.Token));
                if (pending.Count == Concurrency)
                {
                    yield return await pending.Dequeue();
                }
            }
            while (pending.Count > 0)
            {
                yield return await pending.Dequeue();
            }
        }
        finally
        {
            // Stopped early or failed: cancel the requests still in flight and observe their ends.
            if (pending.Count > 0)
            {
                await stop.CancelAsync();
                await ((Task)Task.WhenAll(pending)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
