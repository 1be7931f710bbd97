using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Chat;

public sealed class ChatSessionConfiguration : IEntityTypeConfiguration<ChatSession>
{
    public void Configure(EntityTypeBuilder<ChatSession> builder)
    {
        builder.ToTable("ChatSessions");
        builder.Property(s => s.Title).HasMaxLength(ChatRules.MaxTitleLength).IsRequired();
        builder.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        // No cascade from projects: SQL Server refuses a second cascade path from users. Deleting a
        // project detaches its sessions first (ProjectService).
        builder.HasOne(s => s.Project).WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.ClientSetNull);
        // Owner-scoped lists, most recently active first (also the "latest sessions" of a sync init).
        builder.HasIndex(s => new { s.UserId, s.UpdatedAt });
        builder.HasIndex(s => s.UpdatedAt);
    }
}

public sealed class ChatMessageConfiguration : IEntityTypeConfiguration<ChatMessage>
{
    public void Configure(EntityTypeBuilder<ChatMessage> builder)
    {
        builder.ToTable("ChatMessages");
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.Property(m => m.Content).IsRequired();
        builder.Property(m => m.ClientId).HasMaxLength(ChatRules.MaxClientIdLength).IsRequired();
        builder.HasOne(m => m.Session).WithMany().HasForeignKey(m => m.SessionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => new { m.SessionId, m.ClientId }).IsUnique();
        // Paging a session by time; the id breaks ties between messages of the same instant.
        builder.HasIndex(m => new { m.SessionId, m.CreatedAt, m.Id });
    }
}
