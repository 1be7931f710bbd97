using Catalyst.Data.Jobs;

namespace Catalyst.Portal.Infrastructure;

/// <summary>How the portal shows a JobRun's timing.</summary>
public static class JobDisplay
{
    public static string Duration(JobRun run)
    {
        if (run.StartedAt is not { } started)
            return "—";
        var end = run.FinishedAt ?? DateTime.UtcNow;
        var span = end - started;
        return span.TotalSeconds < 1 ? "<1 s" : span.TotalMinutes < 1 ? $"{span.TotalSeconds:0} s" : span.TotalHours < 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s" : $"{(int)span.TotalHours} h {span.Minutes} min";
    }
}
