using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Catalyst.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class IsolationAndQuota : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "IsPinned",
                table: "WebsiteDataVersions",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "ChargedBytes",
                table: "BlobReferences",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<Guid>(
                name: "ChargedUserId",
                table: "BlobReferences",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "StorageUsage",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Bytes = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StorageUsage", x => x.UserId);
                    table.ForeignKey(
                        name: "FK_StorageUsage_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BlobReferences_ChargedUserId",
                table: "BlobReferences",
                column: "ChargedUserId");

            // Existing rows first: an asset that names a website or project that is gone is detached
            // (it stays its owner's file), so the new foreign keys hold; every account gets its quota
            // row, starting from its unfinished uploads (bytes held before this release were not charged).
            migrationBuilder.Sql("UPDATE [Assets] SET [WebsiteId] = NULL WHERE [WebsiteId] IS NOT NULL AND [WebsiteId] NOT IN (SELECT [Id] FROM [Websites]);");
            migrationBuilder.Sql("UPDATE [Assets] SET [ProjectId] = NULL WHERE [ProjectId] IS NOT NULL AND [ProjectId] NOT IN (SELECT [Id] FROM [Projects]);");
            migrationBuilder.Sql("INSERT INTO [StorageUsage] ([UserId], [Bytes], [UpdatedAt]) SELECT u.[Id], COALESCE((SELECT SUM(p.[Length]) FROM [Uploads] p WHERE p.[OwnerId] = u.[Id] AND p.[CompletedAt] IS NULL), 0), SYSUTCDATETIME() FROM [AspNetUsers] u;");

            migrationBuilder.AddForeignKey(
                name: "FK_Assets_Projects_ProjectId",
                table: "Assets",
                column: "ProjectId",
                principalTable: "Projects",
                principalColumn: "Id");

            migrationBuilder.AddForeignKey(
                name: "FK_Assets_Websites_WebsiteId",
                table: "Assets",
                column: "WebsiteId",
                principalTable: "Websites",
                principalColumn: "Id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Assets_Projects_ProjectId",
                table: "Assets");

            migrationBuilder.DropForeignKey(
                name: "FK_Assets_Websites_WebsiteId",
                table: "Assets");

            migrationBuilder.DropTable(
                name: "StorageUsage");

            migrationBuilder.DropIndex(
                name: "IX_BlobReferences_ChargedUserId",
                table: "BlobReferences");

            migrationBuilder.DropColumn(
                name: "IsPinned",
                table: "WebsiteDataVersions");

            migrationBuilder.DropColumn(
                name: "ChargedBytes",
                table: "BlobReferences");

            migrationBuilder.DropColumn(
                name: "ChargedUserId",
                table: "BlobReferences");
        }
    }
}
