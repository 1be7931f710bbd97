using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Catalyst.Data.Common;
using Catalyst.Data.Configuration;
using Catalyst.Data.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Catalyst.Data.Common.IO;

namespace Catalyst.Data.Websites;

/// <summary>The outcome of a write: the version created, and whether it is a conflict backup.</summary>
public sealed record DataWriteResult(WebsiteDataVersion Version, bool Conflict, int CurrentVersion);

/// <summary>
/// Website data (SPEC §7): three large JSON sections per website, each version a set of blob
/// references. Writes stream each section into the content store while validating the JSON
/// (<see cref="JsonSectionSplitter"/>); a write based on a stale version is still kept, as a
/// conflict backup that never becomes current ("server wins, local preserved"). Version numbers
/// come from <see cref="WebsiteDataHead"/>, whose concurrency token serialises writers.
/// </summary>
public sealed class WebsiteDataService(
    CatalystDbContext db,
    ContentStore content,
    WebsiteService websites,
    IOptions<CatalystOptions> options,
    TimeProvider time)
{
    private static readonly byte[] Null = "null"u8.ToArray();

    private WebsiteDataOptions Limits => options.Value.Websites;

    /// <summary>The current version (null when the website has no data yet: version 0).</summary>
    public async Task<WebsiteDataVersion?> GetCurrentAsync(Actor actor, Guid websiteId, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        var current = await db.Set<WebsiteDataHead>().AsNoTracking().Where(h => h.WebsiteId == websiteId).Select(h => h.CurrentVersion).FirstOrDefaultAsync(ct);
        return current == 0 ? null : await db.Set<WebsiteDataVersion>().AsNoTracking().FirstAsync(v => v.WebsiteId == websiteId && v.Version == current, ct);
    }

    public async Task<WebsiteDataVersion> GetVersionAsync(Actor actor, Guid websiteId, int version, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        return await db.Set<WebsiteDataVersion>().AsNoTracking().FirstOrDefaultAsync(v => v.WebsiteId == websiteId && v.Version == version, ct)
            ?? throw new NotFoundException("Version");
    }

    public async Task<(Page<WebsiteDataVersion> Page, int Current)> ListVersionsAsync(Actor actor, Guid websiteId, bool? conflictBackups, PageRequest page, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        var versions = db.Set<WebsiteDataVersion>().AsNoTracking().Where(v => v.WebsiteId == websiteId);
        if (conflictBackups is { } backups)
            versions = versions.Where(v => v.IsConflictBackup == backups);
        var total = await versions.CountAsync(ct);
        var items = await versions.OrderByDescending(v => v.Version).Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        var current = await db.Set<WebsiteDataHead>().AsNoTracking().Where(h => h.WebsiteId == websiteId).Select(h => h.CurrentVersion).FirstOrDefaultAsync(ct);
        return (new Page<WebsiteDataVersion>(items, page.Page, page.PageSize, total), current);
    }

    /// <summary>
    /// Writes <c>{"websiteId", "version", &lt;sections&gt;}</c> to <paramref name="output"/>, each selected
    /// section copied from the store as stored (never parsed or buffered whole).
    /// </summary>
    public async Task WriteDocumentAsync(Stream output, Guid websiteId, WebsiteDataVersion? version, IReadOnlyList<string> sections, CancellationToken ct)
    {
        await output.WriteAsync(Encoding.UTF8.GetBytes($"{{\"websiteId\":\"{websiteId}\",\"version\":{version?.Version ?? 0}"), ct);
        foreach (var section in sections)
        {
            await output.WriteAsync(Encoding.UTF8.GetBytes($",\"{section}\":"), ct);
            await using var stream = await OpenSectionAsync(version, section, ct);
            await stream.CopyToAsync(output, 256 * 1024, ct);
        }
        await output.WriteAsync("}"u8.ToArray(), ct);
    }

    /// <summary>The whole document of a version as one seekable stream (for downloads with ranges).</summary>
    public async Task<Stream> OpenDocumentAsync(WebsiteDataVersion? version, CancellationToken ct)
    {
        var parts = new List<Stream> { Literal("{") };
        for (var i = 0; i < WebsiteSections.All.Count; i++)
        {
            var section = WebsiteSections.All[i];
            parts.Add(Literal($"{(i == 0 ? "" : ",")}\"{section}\":"));
            parts.Add(await OpenSectionAsync(version, section, ct));
        }
        parts.Add(Literal("}"));
        return new ConcatenatedStream(parts);
    }

    /// <summary>PUT: replaces the sections in <paramref name="body"/>, keeps the others.</summary>
    public async Task<DataWriteResult> PutAsync(Actor actor, Guid websiteId, int expectedVersion, Stream body, string source, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        var sections = await StoreSectionsAsync(body, ct);
        return await CommitAsync(actor, websiteId, expectedVersion, source, _ => sections, ct);
    }

    /// <summary>PATCH: applies an RFC 7386 merge patch to each named section (each loaded whole, up to a limit).</summary>
    public async Task<DataWriteResult> PatchAsync(Actor actor, Guid websiteId, int expectedVersion, Stream body, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        JsonObject patch;
        try
        {
            patch = await JsonNode.ParseAsync(body, new JsonNodeOptions(), new JsonDocumentOptions { MaxDepth = JsonSectionSplitter.MaxDepth, AllowDuplicateProperties = false }, ct) as JsonObject
                ?? throw ValidationFailedException.For("body", "A merge patch of website data is a JSON object of sections.");
            WellFormedJson.Check(patch);
        }
        catch (JsonException ex)
        {
            throw new MalformedJsonException("The body is not valid JSON: " + ex.Message.Split(" LineNumber", 2)[0]);
        }
        foreach (var (name, _) in patch)
        {
            if (!WebsiteSections.IsKnown(name))
                throw ValidationFailedException.For(name, $"'{name}' is not a section; sections are {string.Join(", ", WebsiteSections.All)}.");
        }

        // The patch applies to the version the client saw (for a conflict backup, that is what it meant).
        var basis = await db.Set<WebsiteDataVersion>().AsNoTracking().FirstOrDefaultAsync(v => v.WebsiteId == websiteId && v.Version == expectedVersion, ct)
            ?? await db.Set<WebsiteDataHead>().Where(h => h.WebsiteId == websiteId)
                .Join(db.Set<WebsiteDataVersion>(), h => new { h.WebsiteId, Version = h.CurrentVersion }, v => new { v.WebsiteId, v.Version }, (h, v) => v)
                .AsNoTracking().FirstOrDefaultAsync(ct);
        var patched = new Dictionary<string, BlobInfo?>();
        foreach (var (name, sectionPatch) in patch)
        {
            if (basis?.LengthOf(name) > Limits.MaxMergePatchBytes)
                throw new TooLargeException("section_too_large_for_patch",
                    $"The {name} section is larger than {Limits.MaxMergePatchBytes} bytes; replace it with PUT instead of patching it.");
            JsonNode? target = null;
            if (basis?.ShaOf(name) is { } sha)
            {
                await using var stored = await content.OpenReadAsync(sha, ct) ?? throw new InvalidDataException($"Section blob {sha} is missing.");
                target = await JsonNode.ParseAsync(stored, new JsonNodeOptions(), new JsonDocumentOptions { MaxDepth = JsonSectionSplitter.MaxDepth }, ct);
            }
            var result = MergePatch.Apply(target, sectionPatch);
            if (result is null)
            {
                patched[name] = null;
                continue;
            }
            using var buffer = new MemoryStream();
            await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = JsonSectionSplitter.MaxDepth }))
                result.WriteTo(writer);
            buffer.Position = 0;
            patched[name] = await content.WriteAsync(buffer, ct);
        }
        return await CommitAsync(actor, websiteId, expectedVersion, WebsiteDataSources.Api, _ => patched, ct);
    }

    /// <summary>Restore: a new version with the sections of <paramref name="version"/> (no bytes copied).</summary>
    public async Task<DataWriteResult> RestoreAsync(Actor actor, Guid websiteId, int version, int? expectedVersion, CancellationToken ct)
    {
        var source = await GetVersionAsync(actor, websiteId, version, ct);
        var sections = WebsiteSections.All.ToDictionary(s => s, s => source.ShaOf(s) is { } sha ? new BlobInfo(sha, source.LengthOf(s) ?? 0) : (BlobInfo?)null);
        var head = await db.Set<WebsiteDataHead>().AsNoTracking().FirstAsync(h => h.WebsiteId == websiteId, ct);
        return await CommitAsync(actor, websiteId, expectedVersion ?? head.CurrentVersion, WebsiteDataSources.Restore, _ => sections, ct);
    }

    /// <summary>
    /// First half of a write from a whole document already in the store (a tus upload, an
    /// import): validates and splits it, storing each section. Runs outside any transaction.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, BlobInfo?>> StoreDocumentAsync(string documentSha256, CancellationToken ct)
    {
        await using var document = await content.OpenReadAsync(documentSha256, ct) ?? throw new NotFoundException("Uploaded document");
        return await StoreSectionsAsync(document, ct);
    }

    /// <summary>Second half: the version over sections stored by <see cref="StoreDocumentAsync"/>; joins the caller's transaction if there is one.</summary>
    public Task<DataWriteResult> CommitSectionsAsync(Actor actor, Guid websiteId, int expectedVersion, string source, IReadOnlyDictionary<string, BlobInfo?> sections, CancellationToken ct) =>
        CommitAsync(actor, websiteId, expectedVersion, source, _ => sections, ct);

    /// <summary>Streams every section of the body into the store; returns section → blob (null for a JSON null).</summary>
    private async Task<Dictionary<string, BlobInfo?>> StoreSectionsAsync(Stream body, CancellationToken ct)
    {
        var sink = new StoreSink(content);
        await using var limited = new LimitedStream(body, Limits.MaxDataBytes);
        try
        {
            await JsonSectionSplitter.SplitAsync(limited, sink, ct);
        }
        catch (Exception ex)
        {
            // Stop the section being stored; what it wrote is unreferenced and left to garbage collection.
            await sink.AbortAsync(ex);
            throw;
        }
        return sink.Sections;
    }

    private async Task<DataWriteResult> CommitAsync(Actor actor, Guid websiteId, int expectedVersion, string source,
        Func<WebsiteDataVersion?, IReadOnlyDictionary<string, BlobInfo?>> sectionsFor, CancellationToken ct)
    {
        var ambient = db.Database.CurrentTransaction is not null;
        for (var attempt = 0; ; attempt++)
        {
            await using var tx = ambient ? null : await db.Database.BeginTransactionAsync(ct);
            var head = await db.Set<WebsiteDataHead>().FirstOrDefaultAsync(h => h.WebsiteId == websiteId, ct) ?? throw new NotFoundException("Website");
            // The bytes of every version, conflict backups included, count against the website owner's quota.
            var ownerId = await db.Set<Website>().Where(w => w.Id == websiteId).Select(w => w.OwnerId).FirstAsync(ct);
            var conflict = expectedVersion != head.CurrentVersion;
            // A backup is completed from the version its author saw; an accepted write from the current one.
            var basisVersion = conflict ? expectedVersion : head.CurrentVersion;
            var basis = basisVersion == 0 ? null
                : await db.Set<WebsiteDataVersion>().AsNoTracking().FirstOrDefaultAsync(v => v.WebsiteId == websiteId && v.Version == basisVersion, ct);
            var row = new WebsiteDataVersion
            {
                WebsiteId = websiteId,
                Version = head.LastVersion + 1,
                Source = source,
                IsConflictBackup = conflict,
                BasedOnVersion = expectedVersion == 0 ? null : expectedVersion,
                CreatedById = actor.UserId == Guid.Empty ? null : actor.UserId,
                CreatedByEmail = actor.Email,
                CreatedAt = Clock.UtcNow(time),
            };
            var sections = sectionsFor(basis);
            foreach (var section in WebsiteSections.All)
            {
                if (sections.TryGetValue(section, out var blob))
                    row.Set(section, blob?.Sha256, blob?.Length);
                else
                    row.Set(section, basis?.ShaOf(section), basis?.LengthOf(section));
            }
            head.LastVersion = row.Version;
            if (!conflict)
                head.CurrentVersion = row.Version;
            db.Set<WebsiteDataVersion>().Add(row);
            foreach (var section in WebsiteSections.All)
            {
                if (row.ShaOf(section) is { } sha)
                    await content.AddReferenceAsync(sha, BlobOwnerTypes.WebsiteDataVersion, row.ReferenceOwner(section), ownerId, ct);
            }
            try
            {
                await db.SaveChangesAsync(ct);
                await PruneAsync(websiteId, row.IsConflictBackup, head.CurrentVersion, ct);
                if (tx is not null)
                    await tx.CommitAsync(ct);
                return new DataWriteResult(row, conflict, head.CurrentVersion);
            }
            catch (DbUpdateException) when (tx is not null && attempt < 10)
            {
                // Another writer took the next number first: start again from the new head.
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>
    /// Keeps at most <see cref="WebsiteDataOptions.MaxVersions"/> unpinned versions (the current one
    /// included) or <see cref="WebsiteDataOptions.MaxConflictBackups"/> unpinned conflict backups of a
    /// website: the oldest others go, with their blob references (and so their quota charge). The current
    /// version and pinned ones are never pruned. Runs in the caller's transaction, after its rows are saved.
    /// </summary>
    private async Task PruneAsync(Guid websiteId, bool conflictBackups, int currentVersion, CancellationToken ct)
    {
        var others = conflictBackups ? Limits.MaxConflictBackups : Limits.MaxVersions - 1; // besides the current one
        var excess = await db.Set<WebsiteDataVersion>().AsNoTracking()
            .Where(v => v.WebsiteId == websiteId && v.IsConflictBackup == conflictBackups && !v.IsPinned && v.Version != currentVersion)
            .OrderByDescending(v => v.Version).Skip(others).Select(v => v.Version).ToListAsync(ct);
        if (excess.Count == 0)
            return;
        foreach (var version in excess)
            foreach (var section in WebsiteSections.All)
                await content.RemoveReferencesAsync(BlobOwnerTypes.WebsiteDataVersion, new WebsiteDataVersion { WebsiteId = websiteId, Version = version, Source = "" }.ReferenceOwner(section), ct);
        await db.SaveChangesAsync(ct); // the reference rows go before the versions they describe
        await db.Set<WebsiteDataVersion>().Where(v => v.WebsiteId == websiteId && excess.Contains(v.Version)).ExecuteDeleteAsync(ct);
    }

    /// <summary>Pins (never pruned) or unpins a version or conflict backup; unpinning may prune at once.</summary>
    public async Task<WebsiteDataVersion> SetPinnedAsync(Actor actor, Guid websiteId, int version, bool pinned, CancellationToken ct)
    {
        await websites.GetAsync(actor, websiteId, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var row = await db.Set<WebsiteDataVersion>().FirstOrDefaultAsync(v => v.WebsiteId == websiteId && v.Version == version, ct)
            ?? throw new NotFoundException("Version");
        if (row.IsPinned == pinned)
            return row;
        if (pinned && await db.Set<WebsiteDataVersion>().CountAsync(v => v.WebsiteId == websiteId && v.IsPinned, ct) >= Limits.MaxPinnedVersions)
            throw new ConflictException("pin_limit", $"A website may have at most {Limits.MaxPinnedVersions} pinned versions; unpin one first.");
        row.IsPinned = pinned;
        await db.SaveChangesAsync(ct);
        if (!pinned)
        {
            var current = await db.Set<WebsiteDataHead>().Where(h => h.WebsiteId == websiteId).Select(h => h.CurrentVersion).FirstAsync(ct);
            await PruneAsync(websiteId, row.IsConflictBackup, current, ct);
        }
        await tx.CommitAsync(ct);
        return row;
    }

    /// <summary>One section of a version as stored (<c>null</c> when it has none); the caller got the version through an owner check.</summary>
    public async Task<Stream> OpenSectionAsync(WebsiteDataVersion? version, string section, CancellationToken ct)
    {
        if (version?.ShaOf(section) is not { } sha)
            return new MemoryStream(Null, writable: false);
        return await content.OpenReadAsync(sha, ct) ?? throw new InvalidDataException($"Section blob {sha} is missing.");
    }

    private static MemoryStream Literal(string text) => new(Encoding.UTF8.GetBytes(text), writable: false);

    /// <summary>Feeds each section into the content store (<see cref="ContentStore.OpenWriter"/>), as the splitter reads it.</summary>
    private sealed class StoreSink(ContentStore content) : JsonSectionSplitter.ISink
    {
        private BlobWriter? _blob;
        private string? _section;
        public Dictionary<string, BlobInfo?> Sections { get; } = [];

        public ValueTask BeginAsync(string section, CancellationToken ct)
        {
            _section = section;
            _blob = content.OpenWriter(4 << 20, ct);
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct) => _blob!.WriteAsync(bytes, ct);

        public async ValueTask EndAsync(bool isNull, CancellationToken ct)
        {
            var blob = await _blob!.CompleteAsync();
            Sections[_section!] = isNull ? null : blob;
            _blob = null;
        }

        public async Task AbortAsync(Exception reason)
        {
            if (_blob is null)
                return;
            await _blob.AbortAsync(reason);
            _blob = null;
        }
    }
}

/// <summary>Refuses to read past a byte limit (413) instead of trusting Content-Length.</summary>
public sealed class LimitedStream(Stream inner, long limit) : ReadOnlyStream
{
    private long _read;

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        _read += read;
        if (_read > limit)
            throw new TooLargeException("payload_too_large", $"The body is larger than {limit} bytes.");
        return read;
    }
}
