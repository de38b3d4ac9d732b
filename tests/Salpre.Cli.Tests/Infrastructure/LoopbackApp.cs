using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Salpre.Client.Tests.Infrastructure;

/// <summary>An ASP.NET Core app of a test's own (a receiver written as users write theirs) on 127.0.0.1, a free port, quiet.</summary>
public sealed class LoopbackApp(WebApplication app) : IAsyncDisposable
{
    public Uri Address { get; } = new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

    /// <summary>Builds the app, lets <paramref name="map"/> add its routes, and starts it.</summary>
    public static async Task<LoopbackApp> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        map(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new LoopbackApp(app);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
