using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Catalyst.Data.Migrations.SqlServer
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
                type: "datetime2",
                nullable: true);

            // SQL Server cannot alter a primary key's column in place.
            migrationBuilder.DropPrimaryKey(name: "PK_ChunkData", table: "ChunkData");

            migrationBuilder.AlterColumn<string>(
                name: "Key",
                table: "ChunkData",
                type: "varchar(67)",
                unicode: false,
                maxLength: 67,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "char(64)",
                oldUnicode: false,
                oldFixedLength: true,
                oldMaxLength: 64);

            migrationBuilder.AddPrimaryKey(name: "PK_ChunkData", table: "ChunkData", column: "Key");

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

            migrationBuilder.DropPrimaryKey(name: "PK_ChunkData", table: "ChunkData");

            migrationBuilder.AlterColumn<string>(
                name: "Key",
                table: "ChunkData",
                type: "char(64)",
                unicode: false,
                fixedLength: true,
                maxLength: 64,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "varchar(67)",
                oldUnicode: false,
                oldMaxLength: 67);

            migrationBuilder.AddPrimaryKey(name: "PK_ChunkData", table: "ChunkData", column: "Key");
        }
    }
}
