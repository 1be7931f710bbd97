using System.Text.Json.Nodes;
using Catalyst.Data.LegacyImport.Reading;

namespace Catalyst.Data.LegacyImport.Mapping;

/// <summary>
/// Chat sessions (with their messages) and projects a zustand store in localStorage kept: each
/// becomes a row of its own (table <c>&lt;key&gt;.sessions</c>, …) and is mapped like a kijko_db row,
/// after kijko_db, whose row of the same id wins.
/// </summary>
internal sealed class LegacyStoreRowMapper(LegacyImportLedger ledger, LegacyProjectMapper projects, LegacyChatMapper chat)
{
    private readonly List<LegacyRow> _projects = [];
    private readonly List<LegacyRow> _sessions = [];
    private readonly List<LegacyRow> _messages = [];

    public void Collect(LegacyRow row)
    {
        if (row.Kind != LegacyValueKind.ZustandStore || (row.Value as JsonObject)?["state"] is not JsonObject state)
            return;
        IEnumerable<JsonObject> Items(string name) => (state[name] as JsonArray ?? []).OfType<JsonObject>().Where(o => LegacyValues.Text(o, "id") is { Length: > 0 });
        foreach (var project in Items("projects"))
            _projects.Add(row with { Table = row.Key + ".projects", Key = LegacyValues.Text(project, "id")!, Kind = LegacyValueKind.Row, Value = project.DeepClone(), Blobs = [] });
        foreach (var session in Items("sessions"))
        {
            var sessionId = LegacyValues.Text(session, "id")!;
            var copy = (JsonObject)session.DeepClone();
            copy.Remove("messages");
            _sessions.Add(row with { Table = row.Key + ".sessions", Key = sessionId, Kind = LegacyValueKind.Row, Value = copy, Blobs = [] });
            foreach (var message in (session["messages"] as JsonArray ?? []).OfType<JsonObject>().Where(o => LegacyValues.Text(o, "id") is { Length: > 0 }))
            {
                var m = (JsonObject)message.DeepClone();
                m["sessionId"] ??= sessionId;
                _messages.Add(row with { Table = row.Key + ".messages", Key = LegacyValues.Text(m, "id")!, Kind = LegacyValueKind.Row, Value = m, Blobs = [] });
            }
        }
    }

    public async Task MapAsync(CancellationToken ct)
    {
        foreach (var row in _projects)
        {
            if (ledger.Target(LegacyDatabases.Kijko, "projects", row.Key) is not null && ledger.Existing(row) is null)
                ledger.Count(row, LegacyOutcome.Skipped, "The kijko_db row of the same id wins.");
            else
                await projects.MapAsync(row, ct);
        }
        await projects.FlushAsync(ct);
        foreach (var row in _sessions)
        {
            if (ledger.Target(LegacyDatabases.Kijko, "chatSessions", row.Key) is not null && ledger.Existing(row) is null)
                ledger.Count(row, LegacyOutcome.Skipped, "The kijko_db row of the same id wins.");
            else
                await chat.MapSessionAsync(row, ct);
        }
        await chat.FlushSessionsAsync(ct);
        var fromDatabase = _messages.Where(r => ledger.Target(LegacyDatabases.Kijko, "chatMessages", r.Key) is not null && ledger.Existing(r) is null).ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var row in fromDatabase.Cast<LegacyRow>())
            ledger.Count(row, LegacyOutcome.Skipped, "The kijko_db row of the same id wins.");
        await chat.MapMessagesAsync(_messages.Where(r => !fromDatabase.Contains(r)).ToList(), ct);
    }
}
