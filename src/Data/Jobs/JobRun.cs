using Catalyst.Data.Common;

namespace Catalyst.Data.Jobs;

public enum JobRunStatus { Queued, Running, Succeeded, Failed, Canceled }

/// <summary>
/// The durable record of a background job, independent of the job queue: Hangfire's in-memory
/// storage forgets everything on restart, this row does not (SPEC §9).
/// </summary>
public class JobRun : ITimestamped
{
    public Guid Id { get; set; }
    public required string Kind { get; set; }
    public JobRunStatus Status { get; set; }
    public long ProgressDone { get; set; }
    public long? ProgressTotal { get; set; }
    public Guid? RequestedById { get; set; }
    public string? Input { get; set; }
    public string? Result { get; set; }
    public string? Error { get; set; }
    public string? HangfireJobId { get; set; }
    public int Attempts { get; set; }
    public bool CancelRequested { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    public bool IsFinished => Status is JobRunStatus.Succeeded or JobRunStatus.Failed or JobRunStatus.Canceled;
}
