using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Secrets;

public sealed class SecretKeyConfiguration : IEntityTypeConfiguration<SecretKey>
{
    public void Configure(EntityTypeBuilder<SecretKey> builder)
    {
        builder.ToTable("SecretKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasMaxLength(32).IsUnicode(false);
        builder.Property(k => k.Status).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.Property(k => k.WrappedKey).HasMaxLength(128).IsRequired();
        builder.Property(k => k.MasterKeyId).HasMaxLength(32).IsUnicode(false).IsRequired();
        builder.HasIndex(k => new { k.Status, k.CreatedAt });
    }
}

public sealed class CredentialConfiguration : IEntityTypeConfiguration<Credential>
{
    public void Configure(EntityTypeBuilder<Credential> builder)
    {
        builder.ToTable("Credentials");
        builder.Property(c => c.Name).HasMaxLength(200).IsRequired();
        builder.Property(c => c.Ciphertext).IsRequired();
        builder.Property(c => c.KeyId).HasMaxLength(32).IsUnicode(false).IsRequired();
        builder.Property(c => c.Hint).HasMaxLength(8).IsRequired();
        builder.Ignore(c => c.Masked);
        // A credential lives and dies with its owner; a data key cannot go while a credential uses it.
        builder.HasOne<SecretKey>().WithMany().HasForeignKey(c => c.KeyId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(c => c.McpServerId).IsUnique();
        builder.HasIndex(c => c.DeploymentConfigId).IsUnique();
    }
}
