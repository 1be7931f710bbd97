using Catalyst.Data.Assets;

namespace Catalyst.Tests.Unit.Assets;

/// <summary>Presign settings are checked at start-up, each failure naming its key.</summary>
public class PresignOptionsTests
{
    private static IReadOnlyList<string> Failures(PresignOptions options) =>
        new PresignOptionsValidator().Validate(null, options) is { Failed: true } result ? result.Failures.ToList() : [];

    [Fact]
    public void The_defaults_and_a_32_byte_key_pass()
    {
        Assert.Empty(Failures(new PresignOptions()));
        Assert.Empty(Failures(new PresignOptions { Key = Convert.ToBase64String(new byte[32]) }));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void A_bad_or_short_key_is_refused_without_echoing_it(string key)
    {
        var failures = Failures(new PresignOptions { Key = key });
        Assert.Contains(failures, f => f.StartsWith("Presign:Key", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains(key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 604800, 500, "Presign:DefaultExpirySeconds")]
    [InlineData(900, 30, 500, "Presign:MaxExpirySeconds")]
    [InlineData(900, 604800, 0, "Presign:MaxAssetIds")]
    public void Bad_limits_are_refused_naming_the_key(int defaultExpiry, int maxExpiry, int maxIds, string key)
    {
        var failures = Failures(new PresignOptions { DefaultExpirySeconds = defaultExpiry, MaxExpirySeconds = maxExpiry, MaxAssetIds = maxIds });
        Assert.Contains(failures, f => f.StartsWith(key, StringComparison.Ordinal));
    }
}
