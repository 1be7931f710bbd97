using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Catalyst.Data.Identity;

public sealed class CatalystUserConfiguration : IEntityTypeConfiguration<CatalystUser>
{
    public void Configure(EntityTypeBuilder<CatalystUser> builder)
    {
        builder.Property(u => u.IsDisabled).HasDefaultValue(false);
    }
}
