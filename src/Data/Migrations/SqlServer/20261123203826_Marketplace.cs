using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Catalyst.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class Marketplace : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Downloads",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TokenId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    At = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Sha256 = table.Column<string>(type: "char(64)", unicode: false, fixedLength: true, maxLength: 64, nullable: false),
                    Length = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Downloads", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Downloads_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Downloads_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DownloadTokens",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TokenHash = table.Column<string>(type: "char(64)", unicode: false, fixedLength: true, maxLength: 64, nullable: false),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Grant = table.Column<string>(type: "varchar(16)", unicode: false, maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    UsedAt = table.Column<DateTime>(type: "datetime2", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DownloadTokens", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DownloadTokens_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_DownloadTokens_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MarketplacePackages",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    AssetId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    FileName = table.Column<string>(type: "nvarchar(255)", maxLength: 255, nullable: false),
                    MediaType = table.Column<string>(type: "varchar(127)", unicode: false, maxLength: 127, nullable: false),
                    Length = table.Column<long>(type: "bigint", nullable: false),
                    Sha256 = table.Column<string>(type: "char(64)", unicode: false, fixedLength: true, maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MarketplacePackages", x => x.ProjectId);
                    table.ForeignKey(
                        name: "FK_MarketplacePackages_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MarketplaceSearchTerms",
                columns: table => new
                {
                    Term = table.Column<string>(type: "nvarchar(24)", maxLength: 24, nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MarketplaceSearchTerms", x => new { x.Term, x.ProjectId });
                    table.ForeignKey(
                        name: "FK_MarketplaceSearchTerms_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Purchases",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    SellerId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Amount = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "varchar(3)", unicode: false, maxLength: 3, nullable: false),
                    Status = table.Column<string>(type: "varchar(16)", unicode: false, maxLength: 16, nullable: false),
                    IdempotencyKey = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    PaymentProvider = table.Column<string>(type: "varchar(32)", unicode: false, maxLength: 32, nullable: false),
                    PaymentReference = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    RefundedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    RefundedBy = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Purchases", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Purchases_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "RevenueEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Type = table.Column<string>(type: "varchar(16)", unicode: false, maxLength: 16, nullable: false),
                    Amount = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "varchar(3)", unicode: false, maxLength: 3, nullable: false),
                    At = table.Column<DateTime>(type: "datetime2", nullable: false),
                    PurchaseId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    SellerId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    Metadata = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RevenueEvents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Reviews",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Rating = table.Column<int>(type: "int", nullable: false),
                    Title = table.Column<string>(type: "nvarchar(120)", maxLength: 120, nullable: true),
                    Body = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Reviews", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Reviews_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Reviews_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Projects_Browse_Category_Downloads",
                table: "Projects",
                columns: new[] { "IsPublished", "Category", "DownloadCount", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Projects_Browse_Category_Newest",
                table: "Projects",
                columns: new[] { "IsPublished", "Category", "PublishedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Projects_Browse_Category_Price",
                table: "Projects",
                columns: new[] { "IsPublished", "Category", "Price", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Projects_Browse_Category_Rating",
                table: "Projects",
                columns: new[] { "IsPublished", "Category", "RatingAverage", "RatingCount", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Projects_Browse_Downloads",
                table: "Projects",
                columns: new[] { "IsPublished", "DownloadCount", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Projects_Browse_Newest",
                table: "Projects",
                columns: new[] { "IsPublished", "PublishedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Projects_Browse_Price",
                table: "Projects",
                columns: new[] { "IsPublished", "Price", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Projects_Browse_Rating",
                table: "Projects",
                columns: new[] { "IsPublished", "RatingAverage", "RatingCount", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Downloads_At",
                table: "Downloads",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_Downloads_ProjectId_At_Id",
                table: "Downloads",
                columns: new[] { "ProjectId", "At", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Downloads_UserId_At",
                table: "Downloads",
                columns: new[] { "UserId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_DownloadTokens_ExpiresAt",
                table: "DownloadTokens",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_DownloadTokens_ProjectId",
                table: "DownloadTokens",
                column: "ProjectId");

            migrationBuilder.CreateIndex(
                name: "IX_DownloadTokens_TokenHash",
                table: "DownloadTokens",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_DownloadTokens_UserId_ExpiresAt",
                table: "DownloadTokens",
                columns: new[] { "UserId", "ExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_MarketplacePackages_AssetId",
                table: "MarketplacePackages",
                column: "AssetId");

            migrationBuilder.CreateIndex(
                name: "IX_MarketplaceSearchTerms_ProjectId",
                table: "MarketplaceSearchTerms",
                column: "ProjectId");

            migrationBuilder.CreateIndex(
                name: "IX_Purchases_Completed",
                table: "Purchases",
                columns: new[] { "UserId", "ProjectId" },
                unique: true,
                filter: "\"Status\" = 'Completed'");

            migrationBuilder.CreateIndex(
                name: "IX_Purchases_CreatedAt_Id",
                table: "Purchases",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Purchases_ProjectId_Status",
                table: "Purchases",
                columns: new[] { "ProjectId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Purchases_UserId_CreatedAt_Id",
                table: "Purchases",
                columns: new[] { "UserId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Purchases_UserId_IdempotencyKey",
                table: "Purchases",
                columns: new[] { "UserId", "IdempotencyKey" },
                unique: true,
                filter: "\"IdempotencyKey\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_RevenueEvents_At",
                table: "RevenueEvents",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_RevenueEvents_ProjectId_At",
                table: "RevenueEvents",
                columns: new[] { "ProjectId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_RevenueEvents_PurchaseId",
                table: "RevenueEvents",
                column: "PurchaseId");

            migrationBuilder.CreateIndex(
                name: "IX_Reviews_ProjectId_CreatedAt_Id",
                table: "Reviews",
                columns: new[] { "ProjectId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Reviews_ProjectId_UserId",
                table: "Reviews",
                columns: new[] { "ProjectId", "UserId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Reviews_UserId",
                table: "Reviews",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Downloads");

            migrationBuilder.DropTable(
                name: "DownloadTokens");

            migrationBuilder.DropTable(
                name: "MarketplacePackages");

            migrationBuilder.DropTable(
                name: "MarketplaceSearchTerms");

            migrationBuilder.DropTable(
                name: "Purchases");

            migrationBuilder.DropTable(
                name: "RevenueEvents");

            migrationBuilder.DropTable(
                name: "Reviews");

            migrationBuilder.DropIndex(
                name: "IX_Projects_Browse_Category_Downloads",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Projects_Browse_Category_Newest",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Projects_Browse_Category_Price",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Projects_Browse_Category_Rating",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Projects_Browse_Downloads",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Projects_Browse_Newest",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Projects_Browse_Price",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Projects_Browse_Rating",
                table: "Projects");
        }
    }
}
