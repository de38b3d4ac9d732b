using Salpre.Gateway.Telemetry;
using Salpre.Storage.Calls.Removal;

namespace Salpre.Gateway.Calls.Removal;

/// <summary>
/// Every deletion, erasure and retention run, logged with the account, the count and the key that asked, and counted
/// in the metrics. Never the phone number: an erasure's log line must not keep what it erased.
/// </summary>
public sealed partial class RemovalAudit(ILogger<RemovalAudit> logger, GatewayMetrics metrics)
{
    public void Deleted(long accountId, long callNum, long keyId)
    {
        LogDeleted(logger, CallIds.Format(callNum), accountId, keyId);
        metrics.CallsRemoved(1, GatewayMetrics.RemovalReason.Delete);
    }

    public void Erased(long accountId, long count, long keyId)
    {
        LogErased(logger, count, accountId, keyId);
        metrics.CallsRemoved(count, GatewayMetrics.RemovalReason.Erasure);
    }

    /// <summary>A retention run of one rule: what it did to each account, or null when another node had the turn.</summary>
    public void Retained(RetentionRule rule, int days, IReadOnlyList<RetentionCount>? counts)
    {
        if (counts is null)
        {
            LogRetentionElsewhere(logger, rule);
            metrics.RetentionRun(GatewayMetrics.RetentionResult.Skipped);
            return;
        }
        foreach (var count in counts)
        {
            if (rule == RetentionRule.Calls)
            {
                LogRetentionDeleted(logger, count.Calls, count.AccountId, days);
                metrics.CallsRemoved(count.Calls, GatewayMetrics.RemovalReason.Retention);
            }
            else
            {
                LogRetentionCleared(logger, count.Calls, count.AccountId, days);
                metrics.CallDetailsCleared(count.Calls);
            }
        }
        LogRetentionDone(logger, rule, counts.Count, counts.Sum(count => count.Calls));
        metrics.RetentionRun(GatewayMetrics.RetentionResult.Done);
    }

    public void RetentionFailed(RetentionRule rule, Exception exception)
    {
        LogRetentionFailed(logger, exception, rule);
        metrics.RetentionRun(GatewayMetrics.RetentionResult.Failed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted call {CallId} of account {AccountId} (key {KeyId}).")]
    private static partial void LogDeleted(ILogger logger, string callId, long accountId, long keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Erased {Count} calls of account {AccountId} (key {KeyId}).")]
    private static partial void LogErased(ILogger logger, long count, long accountId, long keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Count} calls of account {AccountId} (older than {Days} days).")]
    private static partial void LogRetentionDeleted(ILogger logger, long count, long accountId, int days);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention cleared the details of {Count} calls of account {AccountId} (older than {Days} days).")]
    private static partial void LogRetentionCleared(ILogger logger, long count, long accountId, int days);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention of {Rule}: {Accounts} accounts, {Count} calls.")]
    private static partial void LogRetentionDone(ILogger logger, RetentionRule rule, int accounts, long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention of {Rule} skipped: another node is applying it.")]
    private static partial void LogRetentionElsewhere(ILogger logger, RetentionRule rule);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention of {Rule} failed; it runs again at the next interval.")]
    private static partial void LogRetentionFailed(ILogger logger, Exception exception, RetentionRule rule);
}
