using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Oms.Integration.OpenApi;

internal sealed class OpenApiClientConfiguration : IEntityTypeConfiguration<OpenApiClient>
{
    public void Configure(EntityTypeBuilder<OpenApiClient> b)
    {
        b.ToTable("openapi_client");
        b.HasIndex(x => x.Flag).IsUnique();
    }
}

internal sealed class OpenApiSeenRequestConfiguration : IEntityTypeConfiguration<OpenApiSeenRequest>
{
    public void Configure(EntityTypeBuilder<OpenApiSeenRequest> b)
    {
        b.ToTable("openapi_seen_request");
        b.HasKey(x => new { x.Flag, x.Sign });
        b.Property(x => x.Sign).HasMaxLength(64);
        b.HasIndex(x => x.SeenAt);
    }
}
