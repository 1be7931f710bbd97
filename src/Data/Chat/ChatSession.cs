using Catalyst.Data.Common;
using Catalyst.Data.Identity;
using Catalyst.Data.Projects;

namespace Catalyst.Data.Chat;

public class ChatSession : ITimestamped, IVersioned
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public CatalystUser? User { get; set; }
    public Guid? ProjectId { get; set; }
    public Project? Project { get; set; }
    public required string Title { get; set; }
    public int MessageCount { get; set; }
    public DateTime? LastMessageAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public long Version { get; set; }
}

public enum ChatRole { User, Assistant, System, Tool }

public class ChatMessage : ITimestamped
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public ChatSession? Session { get; set; }
    public ChatRole Role { get; set; }
    public required string Content { get; set; }
    /// <summary>The id the client gave the message; unique per session, it makes batch sync idempotent.</summary>
    public required string ClientId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
