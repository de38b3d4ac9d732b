using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Salpre.Client;

/// <summary>Registers <see cref="SalpreClient"/> as a typed client of <c>IHttpClientFactory</c>.</summary>
public static class SalpreServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="SalpreClient"/> with the options <paramref name="configure"/> sets; its <see cref="HttpClient"/>
    /// comes from <c>IHttpClientFactory</c>, so handlers and lifetimes are managed there. Returns the builder for
    /// further handlers.
    /// </summary>
    public static IHttpClientBuilder AddSalpreClient(this IServiceCollection services, Action<SalpreClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SalpreClientOptions>().Configure(configure);
        return services
            // SalpreClientOptions.Timeout bounds each attempt; the HttpClient's own timeout would cut across the retries.
            .AddHttpClient(nameof(SalpreClient), http => http.Timeout = Timeout.InfiniteTimeSpan)
            .AddTypedClient((http, provider) => new SalpreClient(http, provider.GetRequiredService<IOptions<SalpreClientOptions>>().Value));
    }
}
