namespace Catalyst.Data.Outbox;

/// <summary>How the outbox asks the job queue to make an attempt; Hangfire implements it in src/Workers.</summary>
public interface IDeliveryQueue
{
    /// <summary>Makes an attempt as soon as a worker is free.</summary>
    void Enqueue(Guid operationId);

    /// <summary>Makes an attempt at <paramref name="at"/> (the row's nextAttemptAt). A lost schedule is found again by the sweep.</summary>
    void Schedule(Guid operationId, DateTimeOffset at);
}
