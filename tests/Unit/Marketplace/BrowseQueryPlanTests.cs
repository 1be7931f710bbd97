using System.Data.Common;
using Catalyst.Data;
using Catalyst.Data.Marketplace;
using Catalyst.Tests.Unit.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Marketplace;

/// <summary>
/// "Browse served by indexes": SQLite's EXPLAIN QUERY PLAN for the page query and the count of
/// every sort with every filter combination. No plan may SCAN the Projects table (a walk over
/// every project); each must SEARCH an index, and a sort must come from that index rather than
/// a temporary b-tree, except when words drive the search through the term index (then only the
/// matching projects are sorted).
/// </summary>
public class BrowseQueryPlanTests(PortalFactory portal, ITestOutputHelper output)
{
    public static TheoryData<MarketplaceSort, bool, bool, bool> Combinations()
    {
        var data = new TheoryData<MarketplaceSort, bool, bool, bool>();
        foreach (var sort in Enum.GetValues<MarketplaceSort>())
            foreach (var category in new[] { false, true })
                foreach (var price in new[] { false, true })
                    foreach (var text in new[] { false, true })
                        data.Add(sort, category, price, text);
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public async Task Every_browse_query_is_answered_from_an_index(MarketplaceSort sort, bool category, bool price, bool text)
    {
        var query = new MarketplaceQuery(text ? "dash kit" : null, category ? "themes" : null, price ? 100 : null, price ? 5000 : null, sort);

        var (page, count) = await portal.WithDbAsync(async db =>
        {
            var browse = MarketplaceCatalog.BrowseQuery(db, query);
            return (await PlanAsync(db, browse.Skip(40).Take(20)), await PlanAsync(db, browse.Select(p => p.Id).Distinct()));
        });
        output.WriteLine("page:\n  " + string.Join("\n  ", page) + "\ncount:\n  " + string.Join("\n  ", count));

        foreach (var line in page.Concat(count))
        {
            Assert.DoesNotMatch(@"^SCAN (p|Projects)\b", line);
            Assert.DoesNotMatch(@"^SCAN m\d*\b", line); // the term index is searched by term, never scanned
        }
        Assert.Contains(page, l => l.StartsWith("SEARCH p USING ", StringComparison.Ordinal));
        if (text)
        {
            // The words drive: projects are fetched by id from the term index's matches, then sorted.
            Assert.Contains(page, l => l.Contains("MarketplaceSearchTerms", StringComparison.Ordinal) && l.Contains("(Term=?)", StringComparison.Ordinal));
            Assert.Contains(page, l => l.StartsWith("SEARCH p USING INDEX sqlite_autoindex_Projects_1 (Id=?)", StringComparison.Ordinal));
            Assert.Contains(count, l => l.StartsWith("SEARCH p USING INDEX sqlite_autoindex_Projects_1 (Id=?)", StringComparison.Ordinal));
        }
        else
        {
            Assert.Contains(page, l => l.Contains("IX_Projects_Browse_", StringComparison.Ordinal));
            Assert.Contains(count, l => l.Contains("IX_Projects_Browse_", StringComparison.Ordinal));
            // The page comes in index order, unless a price range picked the price index for another
            // sort: then only the projects in the range are sorted.
            if (!price || sort == MarketplaceSort.Price)
                Assert.DoesNotContain(page, l => l.Contains("TEMP B-TREE", StringComparison.Ordinal));
            else
                Assert.Contains(page, l => l.Contains("IX_Projects_Browse_", StringComparison.Ordinal) && l.Contains("Price>? AND Price<?", StringComparison.Ordinal));
        }
    }

    /// <summary>EXPLAIN QUERY PLAN of the SQL EF Core sends for <paramref name="query"/>, with its parameters bound.</summary>
    private static async Task<List<string>> PlanAsync<T>(CatalystDbContext db, IQueryable<T> query)
    {
        await using var command = query.CreateDbCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        await db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        var lines = new List<string>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            lines.Add(reader.GetString(3));
        return lines;
    }
}
