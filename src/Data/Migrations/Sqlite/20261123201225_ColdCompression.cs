using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Catalyst.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ColdCompression : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "ColdCheckedAt",
                table: "StoredChunks",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_StoredChunks_ColdCheckedAt_CreatedAt",
                table: "StoredChunks",
                columns: new[] { "ColdCheckedAt", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_StoredChunks_ColdCheckedAt_CreatedAt",
                table: "StoredChunks");

            migrationBuilder.DropColumn(
                name: "ColdCheckedAt",
                table: "StoredChunks");
        }
    }
}
