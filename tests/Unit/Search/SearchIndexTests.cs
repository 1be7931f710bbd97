using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Data.Projects;
using Catalyst.Data.Search;
using Microsoft.EntityFrameworkCore;

namespace Catalyst.Tests.Unit.Search;

/// <summary>
/// The index against the data, on a database of its own: consistent after creates, updates and deletes;
/// a rebuild from scratch writes exactly what incremental maintenance did; verification finds and repairs
/// damage; and the ranked answers equal a brute-force evaluation of the same scoring.
/// </summary>
public class SearchIndexTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record PostingRow(SearchDocumentType Type, Guid EntityId, Guid OwnerId, long TermId, int Impact, DateTime At);

    private static async Task<(List<PostingRow> Postings, Dictionary<long, long> Terms)> SnapshotAsync(SearchDatabase database)
    {
        var db = database.Db;
        var postings = await db.SearchPostings.AsNoTracking()
            .Select(p => new PostingRow(p.Document!.Type, p.Document.EntityId, p.OwnerId, p.TermId, p.Impact, p.At)).ToListAsync(Ct);
        var terms = await db.SearchTerms.AsNoTracking().Where(t => t.DocumentCount != 0).ToDictionaryAsync(t => t.TermId, t => t.DocumentCount, Ct);
        return (postings.OrderBy(p => p.EntityId).ThenBy(p => p.TermId).ToList(), terms);
    }

    /// <summary>Two users with sessions, messages and projects, then renames, status changes and deletes of each kind.</summary>
    private static async Task<(Actor Alice, Actor Bob)> SeedWithChurnAsync(SearchDatabase database)
    {
        var alice = await database.CreateUserAsync();
        var bob = await database.CreateUserAsync();
        var chat = database.Services.Chat();
        var projects = database.Services.Projects();
        var sessions = new List<Guid>();
        foreach (var (actor, name) in new[] { (alice, "alice"), (bob, "bob") })
        {
            for (var s = 0; s < 3; s++)
            {
                var session = await chat.CreateSessionAsync(actor, new ChatSessionInput($"{name} session {s}", null), Ct);
                sessions.Add(session.Id);
                await chat.AppendBatchAsync(actor, Enumerable.Range(0, 20).Select(i => (ChatMessageInput?)new ChatMessageInput(
                    $"{s}-{i}", session.Id.ToString(), i % 2 == 0 ? "user" : "assistant", $"{name} talks about topic{i % 5} and shared words number {i}", null)).ToList(), Ct);
            }
            for (var p = 0; p < 4; p++)
                await projects.CreateAsync(actor, new ProjectInput($"{name} project {p}", $"about topic{p}", [$"tag{p % 2}"], null), Ct);
        }
        database.Db.ChangeTracker.Clear();
        var all = await database.Db.Projects.AsNoTracking().OrderBy(p => p.Name).ToListAsync(Ct);
        var admin = alice with { IsAdmin = true };
        await projects.UpdateAsync(admin, all[0].Id, all[0].Version, new ProjectInput("renamed completely", "new words here", ["fresh"], null), Ct);
        await projects.SetStatusAsync(admin, all[1].Id, null, ProjectStatus.Archived, Ct);
        await projects.DeleteAsync(admin, all[2].Id, null, Ct);
        await chat.DeleteSessionAsync(alice, sessions[0], null, Ct);
        await chat.UpdateSessionAsync(bob, sessions[4], null, new ChatSessionPatch("bob renamed", null, false), Ct);
        database.Db.ChangeTracker.Clear();
        return (alice, bob);
    }

    [Fact]
    public async Task The_index_stays_consistent_through_creates_updates_and_deletes()
    {
        await using var database = await SearchDatabase.CreateAsync();
        await SeedWithChurnAsync(database);

        var result = await database.Services.Maintenance().VerifyAsync(repair: false, null, Ct);

        Assert.True(result.Consistent, string.Join("; ", result.Examples));
        Assert.Equal(await database.Db.ChatMessages.CountAsync(Ct) + await database.Db.Projects.CountAsync(Ct), result.DocumentsChecked);
        Assert.Equal(result.DocumentsChecked, await database.Db.SearchDocuments.CountAsync(Ct));
    }

    [Fact]
    public async Task A_rebuild_from_scratch_writes_exactly_what_incremental_maintenance_did()
    {
        await using var database = await SearchDatabase.CreateAsync();
        await SeedWithChurnAsync(database);
        var incremental = await SnapshotAsync(database);

        var rebuilt = await database.Services.Maintenance().RebuildAsync(clear: true, null, Ct);
        var after = await SnapshotAsync(database);

        Assert.NotEmpty(incremental.Postings);
        Assert.Equal(incremental.Postings, after.Postings);
        Assert.Equal(incremental.Terms.OrderBy(t => t.Key), after.Terms.OrderBy(t => t.Key));
        Assert.Equal(after.Postings.Count, rebuilt.Postings);
    }

    [Fact]
    public async Task Verification_finds_missing_stale_and_orphaned_entries_and_repair_fixes_them()
    {
        await using var database = await SearchDatabase.CreateAsync();
        await SeedWithChurnAsync(database);
        var db = database.Db;
        var expected = await SnapshotAsync(database);
        // Damage of every kind, behind the services' back.
        // The message to delete first, so the damaged document is never its own (that one becomes an
        // orphan, not a mismatch; document and message ids do not sort alike).
        var orphanOf = await db.ChatMessages.OrderBy(m => m.Id).Skip(3).FirstAsync(Ct);
        var victim = await db.SearchDocuments.Where(d => d.Type == SearchDocumentType.Chat && d.EntityId != orphanOf.Id).OrderBy(d => d.Id).FirstAsync(Ct);
        await db.SearchPostings.Where(p => p.DocumentId == victim.Id).Take(2).ExecuteDeleteAsync(Ct);
        var unindexed = await db.SearchDocuments.Where(d => d.Type == SearchDocumentType.Project).OrderBy(d => d.Id).FirstAsync(Ct);
        await db.SearchPostings.Where(p => p.DocumentId == unindexed.Id).ExecuteDeleteAsync(Ct);
        await db.SearchDocuments.Where(d => d.Id == unindexed.Id).ExecuteDeleteAsync(Ct);
        await db.ChatMessages.Where(m => m.Id == orphanOf.Id).ExecuteDeleteAsync(Ct);

        var found = await database.Services.Maintenance().VerifyAsync(repair: true, null, Ct);
        var again = await database.Services.Maintenance().VerifyAsync(repair: false, null, Ct);

        Assert.False(found.Consistent);
        Assert.Equal(1, found.Missing);
        Assert.Equal(1, found.Mismatched);
        Assert.Equal(1, found.Orphaned);
        Assert.True(found.TermCountErrors > 0);
        Assert.True(again.Consistent, string.Join("; ", again.Examples));
        var repaired = await SnapshotAsync(database);
        Assert.Equal(expected.Postings.Where(p => p.EntityId != orphanOf.Id), repaired.Postings);
    }

    [Fact]
    public async Task Ranked_answers_equal_a_brute_force_evaluation_of_the_same_scoring()
    {
        await using var database = await SearchDatabase.CreateAsync();
        var alice = await database.CreateUserAsync();
        var bob = await database.CreateUserAsync();
        var chat = database.Services.Chat();
        var random = new Random(1234);
        var vocabulary = Enumerable.Range(0, 40).Select(i => $"w{i}").ToArray();
        var zipf = vocabulary.Select((_, i) => 1.0 / (i + 1)).ToArray();
        string Word()
        {
            var x = random.NextDouble() * zipf.Sum();
            for (var i = 0; i < zipf.Length; i++)
                if ((x -= zipf[i]) <= 0)
                    return vocabulary[i];
            return vocabulary[^1];
        }
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        foreach (var actor in new[] { alice, bob })
        {
            for (var s = 0; s < 4; s++)
            {
                var session = await chat.CreateSessionAsync(actor, new ChatSessionInput($"s{s}", null), Ct);
                await chat.AppendBatchAsync(actor, Enumerable.Range(0, 100).Select(i => (ChatMessageInput?)new ChatMessageInput(
                    $"m{i}", session.Id.ToString(), "user", string.Join(' ', Enumerable.Range(0, random.Next(2, 25)).Select(_ => Word())),
                    // Some instants repeat, so ties on date are broken the same way on both sides.
                    start.AddMinutes(random.Next(0, 300)).ToString("O"))).ToList(), Ct);
            }
        }
        database.Db.ChangeTracker.Clear();

        var documents = await database.Db.SearchDocuments.AsNoTracking().Where(d => d.OwnerId == alice.UserId).ToDictionaryAsync(d => d.EntityId, Ct);
        var messages = await database.Db.ChatMessages.AsNoTracking().Where(m => m.Session!.UserId == alice.UserId).ToListAsync(Ct);
        var counts = await database.Db.SearchTerms.AsNoTracking().ToDictionaryAsync(t => t.TermId, t => t.DocumentCount, Ct);
        var impacts = messages.ToDictionary(m => m.Id, m => SearchText.Impacts(ChatSearchSource.Document(m, alice.UserId), 1000));
        var search = database.Services.Search();

        for (var round = 0; round < 60; round++)
        {
            var terms = Enumerable.Range(0, random.Next(1, 4)).Select(_ => vocabulary[random.Next(vocabulary.Length)]).Distinct().ToList();
            var and = random.Next(2) == 0;
            var recent = random.Next(3) == 0;
            var page = new PageRequest(random.Next(1, 4), 10);
            var ids = terms.Select(SearchText.TermId).ToArray();
            var weights = ids.Select(t => SearchText.Idf(counts[SearchText.DocumentsTermId], counts.GetValueOrDefault(t))).ToArray();

            var expected = messages
                .Where(m => and ? ids.All(impacts[m.Id].ContainsKey) : ids.Any(impacts[m.Id].ContainsKey))
                .Select(m =>
                {
                    var score = 0.0;
                    for (var i = 0; i < ids.Length; i++)
                        score += weights[i] * impacts[m.Id].GetValueOrDefault(ids[i]);
                    return (m.Id, Score: Math.Round(score, 4), Raw: score, m.CreatedAt, Key: documents[m.Id].Id);
                })
                .OrderByDescending(e => recent ? 0 : e.Raw).ThenByDescending(e => e.CreatedAt).ThenByDescending(e => e.Key)
                .ToList();

            var actual = await search.SearchAsync(alice, new SearchRequest(string.Join(' ', terms), and ? "and" : "or", Sort: recent ? "recent" : null), page, Ct);

            var description = $"round {round}: {string.Join(and ? " AND " : " OR ", terms)} {(recent ? "recent" : "relevance")} page {page.Page}";
            Assert.True(expected.Skip(page.Skip).Take(page.PageSize).Select(e => (e.Id, e.Score)).SequenceEqual(actual.Page.Items.Select(h => (h.Id, h.Score))), description);
            if (actual.TotalIsExact)
                Assert.True(expected.Count == actual.Page.Total, $"{description}: total {actual.Page.Total}, expected {expected.Count}");
            else
                Assert.True(actual.Page.Total <= expected.Count, description);
        }
    }
}
