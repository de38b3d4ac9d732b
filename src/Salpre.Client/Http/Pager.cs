using System.Runtime.CompilerServices;

namespace Salpre.Client.Http;

/// <summary>
/// Walks a paged list: every item of every page, the next page fetched while the caller works through the current
/// one. What the next request is (a cursor, a page number, an event id) is the list's own business.
/// </summary>
internal static class Pager
{
    /// <param name="first">The first page's request.</param>
    /// <param name="fetch">Fetches a page.</param>
    /// <param name="items">A page's items.</param>
    /// <param name="next">The request for the page after <c>page</c>, or null when it was the last.</param>
    public static async IAsyncEnumerable<TItem> AllAsync<TRequest, TPage, TItem>(
        TRequest first,
        Func<TRequest, CancellationToken, Task<TPage>> fetch,
        Func<TPage, IReadOnlyList<TItem>> items,
        Func<TRequest, TPage, TRequest?> next,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TRequest : class
    {
        var request = first;
        using var prefetch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<TPage>? pending = fetch(request, prefetch.Token);
        try
        {
            while (pending is not null)
            {
                var page = await pending.ConfigureAwait(false);
                pending = null;
                var pageItems = items(page);
                if (pageItems.Count > 0 && next(request, page) is { } following)
                {
                    request = following;
                    pending = fetch(request, prefetch.Token);
                }
                foreach (var item in pageItems)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return item;
                }
            }
        }
        finally
        {
            // The caller stopped early (or failed): stop the page in flight and observe its end.
            if (pending is not null)
            {
                await prefetch.CancelAsync().ConfigureAwait(false);
                await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
