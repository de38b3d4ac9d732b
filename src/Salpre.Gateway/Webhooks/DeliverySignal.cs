namespace Salpre.Gateway.Webhooks;

/// <summary>
/// Wakes this node's delivery dispatcher: a write that made events has committed, or a delivery has finished and
/// freed a slot. Many sets before a wait count as one.
/// </summary>
public sealed class DeliverySignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            if (_semaphore.CurrentCount == 0)
            {
                _semaphore.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Another thread set it first: once is enough.
        }
    }

    /// <summary>Waits for a set, or for <paramref name="timeout"/>; true when set.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _semaphore.Dispose();
}
