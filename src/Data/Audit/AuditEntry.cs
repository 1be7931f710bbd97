namespace Catalyst.Data.Audit;

/// <summary>Who did what to which entity, and when. Written for every admin action and secret access.</summary>
public class AuditEntry
{
    public Guid Id { get; set; }
    public DateTime At { get; set; }
    public Guid? ActorId { get; set; }
    public string? ActorEmail { get; set; }
    public required string Action { get; set; }
    public required string EntityType { get; set; }
    public string? EntityId { get; set; }
    public string? Details { get; set; }
}
