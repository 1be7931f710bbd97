using Catalyst.Data.Common;

namespace Catalyst.Data.Marketplace;

public enum MarketplaceSort { Newest, Rating, Downloads, Price }

/// <summary>What a valid listing, review and browse query look like; shared by the API and the pages.</summary>
public static class MarketplaceRules
{
    /// <summary>Prices up to one hundred billion minor units (a billion euros): plenty, and far from overflow in sums.</summary>
    public const long MaxPrice = 100_000_000_000;
    public const int MaxReviewTitleLength = 120;
    public const int MaxReviewBodyLength = 4000;
    public const int MaxIdempotencyKeyLength = 200;
    public const int MaxQueryLength = 200;

    /// <summary>The categories a project is listed under: slug and label.</summary>
    public static IReadOnlyList<(string Slug, string Label)> Categories { get; } =
    [
        ("templates", "Website templates"),
        ("components", "Components"),
        ("themes", "Themes"),
        ("datasets", "Datasets"),
        ("ai-prompts", "AI prompts"),
        ("mcp-servers", "MCP servers"),
        ("tools", "Tools"),
        ("other", "Other"),
    ];

    public static string CategoryLabel(string? slug) =>
        Categories.FirstOrDefault(c => c.Slug == slug).Label ?? slug ?? "";

    public static string? NormalizeCategory(string? category)
    {
        var slug = category?.Trim().ToLowerInvariant();
        return Categories.Any(c => c.Slug == slug) ? slug : null;
    }

    public static PublishListing ValidatePublish(PublishInput input)
    {
        var errors = new Dictionary<string, string[]>();
        if (input.Price is null)
            errors["price"] = ["Price is required (0 for a free project)."];
        else if (input.Price is < 0 or > MaxPrice)
            errors["price"] = [$"Price must be a whole number of minor units between 0 and {MaxPrice}."];
        var currency = Currencies.Normalize(input.Currency);
        if (string.IsNullOrWhiteSpace(input.Currency))
            errors["currency"] = ["Currency is required (an ISO 4217 code such as EUR)."];
        else if (currency is null)
            errors["currency"] = [$"'{Shorten(input.Currency)}' is not an ISO 4217 currency code."];
        var category = NormalizeCategory(input.Category);
        if (string.IsNullOrWhiteSpace(input.Category))
            errors["category"] = ["Category is required."];
        else if (category is null)
            errors["category"] = [$"Unknown category. Use one of: {string.Join(", ", Categories.Select(c => c.Slug))}."];
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        return new PublishListing(input.Price!.Value, currency!, category!, input.PackageAssetId);
    }

    public static (int Rating, string? Title, string? Body) ValidateReview(ReviewInput input)
    {
        var errors = new Dictionary<string, string[]>();
        if (input.Rating is null)
            errors["rating"] = ["Rating is required (1 to 5)."];
        else if (input.Rating is < 1 or > 5)
            errors["rating"] = ["Rating must be between 1 and 5."];
        var title = string.IsNullOrWhiteSpace(input.Title) ? null : input.Title.Trim();
        if (title is { Length: > MaxReviewTitleLength })
            errors["title"] = [$"Title must be at most {MaxReviewTitleLength} characters."];
        else if (title is not null && title.Any(char.IsControl))
            errors["title"] = ["Title must not contain control characters."];
        var body = string.IsNullOrWhiteSpace(input.Body) ? null : input.Body.Trim().ReplaceLineEndings("\n");
        if (body is { Length: > MaxReviewBodyLength })
            errors["body"] = [$"The review must be at most {MaxReviewBodyLength} characters."];
        else if (body is not null && body.Any(c => char.IsControl(c) && c is not ('\n' or '\t')))
            errors["body"] = ["The review must not contain control characters."];
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        return (input.Rating!.Value, title, body);
    }

    /// <summary>An Idempotency-Key is 1–200 visible ASCII characters (as the IETF draft's examples).</summary>
    public static string? ValidateIdempotencyKey(string? key)
    {
        if (key is null)
            return null;
        if (key.Length is 0 or > MaxIdempotencyKeyLength || key.Any(c => c is < '!' or > '~'))
            throw ValidationFailedException.For("Idempotency-Key", $"Idempotency-Key must be 1 to {MaxIdempotencyKeyLength} visible ASCII characters.");
        return key;
    }

    public static MarketplaceQuery ValidateQuery(string? q, string? category, long? minPrice, long? maxPrice, MarketplaceSort? sort)
    {
        var errors = new Dictionary<string, string[]>();
        if (q is { Length: > MaxQueryLength })
            errors["q"] = [$"q must be at most {MaxQueryLength} characters."];
        string? normalizedCategory = null;
        if (!string.IsNullOrWhiteSpace(category))
        {
            normalizedCategory = NormalizeCategory(category);
            if (normalizedCategory is null)
                errors["category"] = [$"Unknown category. Use one of: {string.Join(", ", Categories.Select(c => c.Slug))}."];
        }
        if (minPrice is < 0)
            errors["minPrice"] = ["minPrice must be 0 or more."];
        if (maxPrice is < 0)
            errors["maxPrice"] = ["maxPrice must be 0 or more."];
        if (minPrice is { } min && maxPrice is { } max && min > max)
            errors["maxPrice"] = ["maxPrice must not be below minPrice."];
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        return new MarketplaceQuery(string.IsNullOrWhiteSpace(q) ? null : q.Trim(), normalizedCategory, minPrice, maxPrice, sort ?? MarketplaceSort.Newest);
    }

    /// <summary>"Free", "12.50 EUR", or null for a project that was never priced.</summary>
    public static string? PriceText(long? price, string? currency) => price switch
    {
        null => null,
        0 => "Free",
        { } amount when Currencies.IsKnown(currency) => Currencies.Format(amount, currency!),
        _ => null,
    };

    private static string Shorten(string text) => text.Length <= 16 ? text : text[..16] + "…";
}

/// <summary>What the seller sends to publish: price in minor units, ISO 4217 currency, category, optional package.</summary>
public sealed record PublishInput(long? Price, string? Currency, string? Category, Guid? PackageAssetId);

public sealed record PublishListing(long Price, string Currency, string Category, Guid? PackageAssetId);

public sealed record ReviewInput(int? Rating, string? Title, string? Body);

/// <summary>A validated browse query (see <see cref="MarketplaceRules.ValidateQuery"/>).</summary>
public sealed record MarketplaceQuery(string? Text = null, string? Category = null, long? MinPrice = null, long? MaxPrice = null, MarketplaceSort Sort = MarketplaceSort.Newest);
