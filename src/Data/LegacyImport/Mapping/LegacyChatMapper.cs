using System.Text.Json;
using System.Text.Json.Nodes;
using Catalyst.Data.Chat;
using Catalyst.Data.Common;
using Catalyst.Data.LegacyImport.Reading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Catalyst.Data.LegacyImport.Mapping;

/// <summary>
/// kijko_db chat sessions and messages (and those a zustand store kept) become chat sessions and
/// messages, through <see cref="ChatService"/>'s batch operations: sessions 500 to a save (one by one
/// when a batch is refused), messages 500 to a transaction, each checked by the chat rules first.
/// </summary>
internal sealed class LegacyChatMapper(
    CatalystDbContext db, ChatService chat, IOptions<ChatOptions> chatOptions, LegacyUnitBatch units, LegacyImportLedger ledger, TimeProvider time)
{
    private const int SessionBatch = 500;
    private const int MessageBatch = 500;
    private readonly List<(LegacyRow Row, ChatSessionInput Input, string Extra)> _sessions = [];

    public async Task MapSessionAsync(LegacyRow row, CancellationToken ct)
    {
        if (ledger.Existing(row) is { } done)
        {
            ledger.Count(row, done.Outcome, done.Message);
            return;
        }
        var legacy = LegacyValues.AsObject(row.Value);
        var title = (LegacyValues.Text(legacy, "title") ?? "").Trim();
        if (title.Length == 0 || title.Length > ChatRules.MaxTitleLength || !PlainText.IsSingleLine(title))
        {
            var clean = new string(title.Where(ch => !char.IsControl(ch) && !char.IsSurrogate(ch) && !PlainText.IsBidiControl(ch)).ToArray()).Trim();
            clean = clean.Length == 0 ? "Untitled chat" : clean[..Math.Min(clean.Length, ChatRules.MaxTitleLength)];
            if (title.Length > 0)
                ledger.Problem(row, "The title was not plain text of at most 200 characters; the original is kept with the row's other fields.");
            title = clean;
        }
        Guid? projectId = null;
        if (LegacyValues.Text(legacy, "projectId") is { Length: > 0 } projectKey)
        {
            if (ledger.ProjectOrSession("projects", projectKey) is { } target && Guid.TryParse(target, out var p))
                projectId = p;
            else
                ledger.Problem(row, $"Its project ({projectKey}) is missing: the session is imported without a project.");
        }
        var extra = LegacyValues.Rest(legacy, "id", "projectId").ToJsonString();
        var input = new ChatSessionInput(title, projectId);
        if (!ledger.Apply)
        {
            await units.AddAsync(row, () => Task.FromResult(Guid.Empty), LegacyTargetKinds.ChatSession, extra, ct);
            return;
        }
        _sessions.Add((row, input, extra));
        if (_sessions.Count >= SessionBatch)
            await FlushSessionsAsync(ct);
    }

    /// <summary>Sessions in one save (the service's batch create); if it refuses the batch, each goes alone so only the refused one fails.</summary>
    public async Task FlushSessionsAsync(CancellationToken ct)
    {
        if (_sessions.Count == 0)
            return;
        var batch = _sessions.ToList();
        _sessions.Clear();
        var snapshot = ledger.Tally.Snapshot();
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            try
            {
                var created = await chat.CreateSessionsAsync(ledger.Owner, batch.Select(b => b.Input).ToList(), ct);
                for (var i = 0; i < batch.Count; i++)
                    ledger.Land(batch[i].Row, LegacyTargetKinds.ChatSession, created[i].Id.ToString(), extra: batch[i].Extra);
                db.Set<LegacySourceKey>().AddRange(ledger.Pending);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                ledger.ClearPending();
                return;
            }
            catch (Exception ex) when (ex is DomainException or DbUpdateException)
            {
                await tx.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                ledger.Forget(snapshot);
            }
        }
        foreach (var (row, input, extra) in batch)
            await units.AddAsync(row, async () => (await chat.CreateSessionAsync(ledger.Owner, input, ct)).Id, LegacyTargetKinds.ChatSession, extra, ct);
        await units.FlushAsync(ct);
    }

    public async Task MapMessagesAsync(IReadOnlyList<LegacyRow> rows, CancellationToken ct)
    {
        var now = Clock.UtcNow(time);
        var batch = new List<(LegacyRow Row, ChatMessageInput Input, string Extra)>();
        foreach (var row in rows)
        {
            if (ledger.Existing(row) is { } done)
            {
                ledger.Count(row, done.Outcome, done.Message);
                continue;
            }
            var legacy = LegacyValues.AsObject(row.Value);
            var sessionKey = LegacyValues.Text(legacy, "sessionId");
            if (sessionKey is null || ledger.ProjectOrSession("sessions", sessionKey) is not { } sessionId)
            {
                ledger.Count(row, LegacyOutcome.Failed, $"Its chat session ({sessionKey ?? "none"}) is missing.");
                continue;
            }
            var content = legacy["content"] switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                null => null,
                var other => other.ToJsonString(),
            };
            var input = new ChatMessageInput(row.Key, sessionId, LegacyValues.Text(legacy, "role"), content, LegacyValues.Time(legacy, "createdAt"));
            var (_, error) = ChatRules.ValidateRow(0, input, chatOptions.Value, now);
            if (error is not null)
            {
                ledger.Count(row, LegacyOutcome.Failed, $"{error.Code}: {error.Detail}");
                continue;
            }
            batch.Add((row, input, LegacyValues.Rest(legacy, "id", "sessionId", "role", "createdAt").ToJsonString()));
            if (batch.Count == MessageBatch)
                await WriteMessagesAsync(batch, ct);
        }
        if (batch.Count > 0)
            await WriteMessagesAsync(batch, ct);
    }

    private async Task WriteMessagesAsync(List<(LegacyRow Row, ChatMessageInput Input, string Extra)> batch, CancellationToken ct)
    {
        if (!ledger.Apply)
        {
            foreach (var (row, _, extra) in batch)
                ledger.Land(row, LegacyTargetKinds.ChatMessage, Guid.NewGuid().ToString(), extra: extra);
            ledger.ClearPending();
            batch.Clear();
            return;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await chat.AppendBatchAsync(ledger.Owner, batch.Select(b => (ChatMessageInput?)b.Input).ToList(), ct);
        var errors = result.Errors.ToDictionary(e => e.Index);
        for (var i = 0; i < batch.Count; i++)
        {
            var (row, input, extra) = batch[i];
            if (errors.TryGetValue(i, out var error))
                ledger.Count(row, LegacyOutcome.Failed, $"{error.Code}: {error.Detail}");
            else
                ledger.Land(row, LegacyTargetKinds.ChatMessage, result.Ids[input.ClientId!].ToString(), extra: extra);
        }
        db.Set<LegacySourceKey>().AddRange(ledger.Pending);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        ledger.ClearPending();
        batch.Clear();
    }
}
