using System.Text.Json.Nodes;
using Catalyst.Data.Common;
using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Data.Websites;

namespace Catalyst.Data.LegacyImport.Mapping;

/// <summary>
/// catalyst_global's metadata and the localStorage dumps: each value becomes a preference under
/// <c>legacy.&lt;app&gt;.&lt;key&gt;</c>. They are gathered through the run and merged into the user's
/// preferences in one write at its end; anything holding a credential is never imported.
/// </summary>
internal sealed class LegacyPreferenceMapper(CatalystDbContext db, PreferencesService preferences, LegacyImportLedger ledger)
{
    private static readonly string[] CredentialWords = ["token", "password", "secret", "apikey", "api_key", "credential", "refresh", "jwt", "cookie"];

    private readonly JsonObject _preferences = new();
    private readonly List<(LegacyRow Row, string App, string Key)> _rows = [];

    /// <summary>catalyst_global's tables other than its websites (mapped with their per-website databases).</summary>
    public void MapGlobal(LegacyFileRows file)
    {
        foreach (var (table, rows) in file.Rows)
        {
            if (table == "websites")
                continue;
            foreach (var row in rows)
            {
                if (table == "metadata")
                {
                    var value = row.Value is JsonObject o && o.ContainsKey("value") ? o["value"] : row.Value;
                    Add(row, LegacyDatabases.Global, row.Key, value);
                }
                else
                {
                    ledger.Count(row, LegacyOutcome.Skipped, $"Unknown table '{table}' of catalyst_global: not imported.");
                }
            }
        }
    }

    /// <summary>Maps a localStorage dump's rows; answers those that hold no credential (their stores may hold more rows).</summary>
    public List<LegacyRow> MapLocalStorage(LegacyFileRows file)
    {
        var app = file.Database[LegacyDatabases.LocalStoragePrefix.Length..];
        var accepted = new List<LegacyRow>();
        foreach (var row in file.Rows.Values.SelectMany(r => r))
        {
            if (HoldsCredential(row))
            {
                ledger.Count(row, LegacyOutcome.Skipped, "Holds a credential or session token: never imported.");
                continue;
            }
            Add(row, app, row.Key, row.Value);
            accepted.Add(row);
        }
        return accepted;
    }

    private static bool HoldsCredential(LegacyRow row)
    {
        var key = row.Key.ToLowerInvariant();
        if (key.Contains("auth", StringComparison.Ordinal) || CredentialWords.Any(w => key.Contains(w, StringComparison.Ordinal)))
            return true;
        var state = row.Kind == LegacyValueKind.ZustandStore ? (row.Value as JsonObject)?["state"] as JsonObject : row.Value as JsonObject;
        return state is not null && state.Select(p => p.Key.ToLowerInvariant()).Any(k => CredentialWords.Any(w => k.Contains(w, StringComparison.Ordinal)));
    }

    private void Add(LegacyRow row, string app, string key, JsonNode? value)
    {
        if (ledger.Existing(row) is { } outcome)
        {
            ledger.Count(row, outcome.Outcome, outcome.Message);
            return;
        }
        if (LegacyValues.TooDeep(value, 3, "the preferences (legacy.app.key)") is { } tooDeep)
        {
            ledger.Count(row, LegacyOutcome.Failed, tooDeep);
            return;
        }
        var legacy = _preferences["legacy"] as JsonObject ?? (JsonObject)(_preferences["legacy"] = new JsonObject());
        var section = legacy[app] as JsonObject ?? (JsonObject)(legacy[app] = new JsonObject());
        section[key] = value?.DeepClone();
        _rows.Add((row, app, key));
    }

    /// <summary>Merges everything gathered into the user's preferences, with its source keys, in one transaction.</summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        if (_rows.Count == 0)
            return;
        var current = await preferences.GetAsync(ledger.Owner, ct);
        var merged = JsonNode.Parse(current.Preferences, documentOptions: JsonLimits.Value) as JsonObject ?? new JsonObject();
        var legacy = merged["legacy"] as JsonObject ?? (JsonObject)(merged["legacy"] = new JsonObject());
        foreach (var (app, values) in (JsonObject)_preferences["legacy"]!)
        {
            var section = legacy[app] as JsonObject ?? (JsonObject)(legacy[app] = new JsonObject());
            foreach (var (key, value) in (JsonObject)values!)
                section[key] = value?.DeepClone();
        }
        var element = LegacyValues.Element(merged);
        var errors = new Dictionary<string, string[]>();
        WebsiteRules.ValidJsonObject(element, errors, "preferences");
        if (errors.Count > 0)
        {
            foreach (var (row, _, _) in _rows)
                ledger.Count(row, LegacyOutcome.Failed, "The preferences would exceed their size limit: " + string.Join(" ", errors.Values.SelectMany(v => v)));
            return;
        }
        foreach (var (row, app, key) in _rows)
            ledger.Land(row, LegacyTargetKinds.Preference, "preferences", extra: new JsonArray("legacy", app, key).ToJsonString());
        if (ledger.Apply)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.Set<LegacySourceKey>().AddRange(ledger.Pending);
            await preferences.PutAsync(ledger.Owner, element, null, ct);
            await tx.CommitAsync(ct);
        }
        ledger.ClearPending();
    }
}
