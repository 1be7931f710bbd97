namespace Catalyst.Data.Jobs;

/// <summary>The kinds of background work a JobRun can describe.</summary>
public static class JobKinds
{
    public const string RecomputeProjectStatistics = "recompute-project-statistics";

    public static readonly IReadOnlyDictionary<string, string> DisplayNames = new Dictionary<string, string>
    {
        [RecomputeProjectStatistics] = "Recompute project statistics",
    };

    public static string DisplayName(string kind) => DisplayNames.TryGetValue(kind, out var name) ? name : kind;
}
