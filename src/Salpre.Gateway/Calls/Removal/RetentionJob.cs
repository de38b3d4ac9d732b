using Microsoft.Extensions.Options;
using Salpre.Storage.Calls.Removal;

namespace Salpre.Gateway.Calls.Removal;

/// <summary>Applies <see cref="RetentionOptions"/> at start and every interval, a small batch per transaction.</summary>
public sealed class RetentionJob(ICallRemoval removal, TimeProvider time, IOptions<RetentionOptions> options, RemovalAudit audit) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        try
        {
            do
            {
                await RunOnceAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One run of each rule that is on: whole calls first, so that no details are cleared of calls about to go.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.CallsDays is { } callsDays)
        {
            await ApplyAsync(RetentionRule.Calls, callsDays, settings.BatchSize, cancellationToken);
        }
        if (settings.CallDetailsDays is { } detailsDays)
        {
            await ApplyAsync(RetentionRule.Details, detailsDays, settings.BatchSize, cancellationToken);
        }
    }

    private async Task ApplyAsync(RetentionRule rule, int days, int batchSize, CancellationToken cancellationToken)
    {
        try
        {
            var cutoff = (time.GetUtcNow() - TimeSpan.FromDays(days)).ToUnixTimeSeconds();
            audit.Retained(rule, days, await removal.ApplyRetentionAsync(rule, cutoff, batchSize, cancellationToken));
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            audit.RetentionFailed(rule, exception);
        }
    }
}
