using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Catalyst.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class Packs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PackId",
                table: "StoredChunks",
                type: "varchar(32)",
                unicode: false,
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PackOffset",
                table: "StoredChunks",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "StoredPacks",
                columns: table => new
                {
                    Id = table.Column<string>(type: "varchar(32)", unicode: false, maxLength: 32, nullable: false),
                    Length = table.Column<long>(type: "bigint", nullable: false),
                    ChunkCount = table.Column<int>(type: "int", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StoredPacks", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_StoredChunks_PackId",
                table: "StoredChunks",
                column: "PackId");

            migrationBuilder.CreateIndex(
                name: "IX_StoredPacks_CreatedAt",
                table: "StoredPacks",
                column: "CreatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "StoredPacks");

            migrationBuilder.DropIndex(
                name: "IX_StoredChunks_PackId",
                table: "StoredChunks");

            migrationBuilder.DropColumn(
                name: "PackId",
                table: "StoredChunks");

            migrationBuilder.DropColumn(
                name: "PackOffset",
                table: "StoredChunks");
        }
    }
}
