namespace Catalyst.Data.Common;

/// <summary>Rows whose createdAt/updatedAt the DbContext maintains.</summary>
public interface ITimestamped
{
    DateTime CreatedAt { get; set; }
    DateTime UpdatedAt { get; set; }
}

/// <summary>
/// Mutable aggregates with an optimistic concurrency token. The DbContext increments
/// <see cref="Version"/> on every update; it is the resource's ETag.
/// </summary>
public interface IVersioned
{
    long Version { get; set; }
}
