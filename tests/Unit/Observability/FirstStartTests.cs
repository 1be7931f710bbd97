using System.Xml.Linq;
using Catalyst.Data;
using Catalyst.Data.Secrets;
using Catalyst.Portal.Infrastructure;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Tests.Unit.Observability;

/// <summary>Issue 23 item 13: a normal first start logs no warning about the key ring, and a stale schema is one clear line.</summary>
public class FirstStartTests
{
    [Fact]
    public async Task The_data_protection_key_ring_is_stored_encrypted_with_the_master_key_and_no_warning_is_logged()
    {
        await using var portal = new PortalFactory(new Dictionary<string, string?> { ["Serilog:MinimumLevel:Default"] = "Information" });
        var page = await portal.CreateBrowser().GetAsync("/Account/Login");
        page.EnsureSuccessStatusCode();
        using (var marker = new HttpRequestMessage(HttpMethod.Get, "/Account/Login"))
        {
            marker.Headers.Add(CorrelationIdMiddleware.HeaderName, "first-start-marker");
            await portal.CreateBrowser().SendAsync(marker);
        }

        var keys = await portal.WithDbAsync(db => db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToListAsync(TestContext.Current.CancellationToken));
        Assert.NotEmpty(keys);
        Assert.All(keys, xml => Assert.Contains(nameof(MasterKeyXmlDecryptor), xml!, StringComparison.Ordinal));
        Assert.All(keys, xml => Assert.DoesNotContain("<masterKey", xml!, StringComparison.Ordinal));
        var logs = await Poll.UntilAsync(() => Task.FromResult(PortalLogs.ReadAll(Path.Combine(portal.DataDirectory, "logs"))),
            text => text.Contains("first-start-marker", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the marker request's log line");
        Assert.DoesNotContain("No XML encryptor configured", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("unencrypted form", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sealed_key_opens_with_the_same_master_key_only()
    {
        await using var portal = new PortalFactory();
        var master = portal.Services.GetRequiredService<MasterKey>();
        var element = XElement.Parse("""<masterKey><value>c2VjcmV0</value></masterKey>""");

        var sealedKey = new MasterKeyXmlEncryptor(master).Encrypt(element);

        Assert.Equal(typeof(MasterKeyXmlDecryptor), sealedKey.DecryptorType);
        Assert.DoesNotContain("c2VjcmV0", sealedKey.EncryptedElement.ToString(), StringComparison.Ordinal);
        var opened = new MasterKeyXmlDecryptor(portal.Services).Decrypt(sealedKey.EncryptedElement);
        Assert.True(XNode.DeepEquals(element, opened));
        var tampered = new XElement(sealedKey.EncryptedElement);
        tampered.SetAttributeValue("masterKeyId", "m-000000000000");
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => new MasterKeyXmlDecryptor(portal.Services).Decrypt(tampered));
    }

    [Fact]
    public async Task A_database_without_its_migrations_stops_the_start_with_one_line_naming_the_fix()
    {
        var directory = Path.Combine(Path.GetTempPath(), "catalyst-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var builder = WebApplication.CreateBuilder([$"--Catalyst:DataDirectory={directory}", "--Database:MigrateOnStartup=false", "--Serilog:MinimumLevel:Default=Warning"]);
            builder.AddCatalystPortal();
            await using var app = builder.Build();

            var error = await Assert.ThrowsAsync<SchemaOutOfDateException>(() => app.PrepareDatabaseAsync(TestContext.Current.CancellationToken));

            Assert.True(error.PendingMigrations > 0);
            Assert.DoesNotContain('\n', error.Message);
            Assert.Contains("migrate-db", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }
}
