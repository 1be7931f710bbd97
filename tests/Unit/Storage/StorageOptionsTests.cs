using Catalyst.Data.Storage;

namespace Catalyst.Tests.Unit.Storage;

/// <summary>Storage settings are checked at start-up, each failure naming its key.</summary>
public class StorageOptionsTests
{
    private const string Azurite = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    private static IReadOnlyList<string> Failures(StorageOptions options) =>
        new StorageOptionsValidator().Validate(null, options) is { Failed: true } result ? result.Failures.ToList() : [];

    [Fact]
    public void A_valid_azure_configuration_passes()
    {
        Assert.Empty(Failures(new StorageOptions { Provider = StorageProviders.AzureBlob, AzureBlob = { ConnectionString = Azurite, ContainerName = "catalyst-prod-1" } }));
    }

    [Theory]
    [InlineData(null, "catalyst", "Storage:AzureBlob:ConnectionString is required")]
    [InlineData("not a connection string", "catalyst", "Storage:AzureBlob:ConnectionString is not a valid")]
    [InlineData("AccountName=x", "catalyst", "Storage:AzureBlob:ConnectionString is not a valid")]
    [InlineData(Azurite, "Catalyst", "Storage:AzureBlob:ContainerName")]
    [InlineData(Azurite, "ab", "Storage:AzureBlob:ContainerName")]
    [InlineData(Azurite, "-catalyst", "Storage:AzureBlob:ContainerName")]
    [InlineData(Azurite, "cata--lyst", "Storage:AzureBlob:ContainerName")]
    [InlineData(Azurite, "../blobs", "Storage:AzureBlob:ContainerName")]
    public void Bad_azure_settings_are_refused_naming_the_key(string? connectionString, string container, string expected)
    {
        var failures = Failures(new StorageOptions { Provider = StorageProviders.AzureBlob, AzureBlob = { ConnectionString = connectionString, ContainerName = container } });
        Assert.Contains(failures, f => f.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("AccountKey", StringComparison.Ordinal)); // never echo a secret
    }

    [Theory]
    [InlineData(-1, 9, 0.5, 0.1, "AgeThresholdDays")]
    [InlineData(7, 12, 0.5, 0.1, "Quality")]
    [InlineData(7, 9, 0, 0.1, "CpuBudget")]
    [InlineData(7, 9, 1.5, 0.1, "CpuBudget")]
    [InlineData(7, 9, 0.5, 1, "MinSaving")]
    public void Bad_compression_settings_are_refused_naming_the_key(int days, int quality, double budget, double saving, string key)
    {
        var failures = Failures(new StorageOptions { Compression = { AgeThresholdDays = days, Quality = quality, CpuBudget = budget, MinSaving = saving } });
        Assert.Contains(failures, f => f.StartsWith("Storage:Compression:" + key, StringComparison.Ordinal));
    }
}
