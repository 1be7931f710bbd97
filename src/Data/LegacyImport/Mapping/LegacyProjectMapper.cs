using Catalyst.Data.Common;
using Catalyst.Data.LegacyImport.Reading;
using Catalyst.Data.Projects;

namespace Catalyst.Data.LegacyImport.Mapping;

/// <summary>kijko_db projects (and those a zustand store kept) become projects of the migrating user, through <see cref="ProjectService"/>.</summary>
internal sealed class LegacyProjectMapper(ProjectService projects, LegacyUnitBatch units, LegacyImportLedger ledger)
{
    public async Task MapAsync(LegacyRow row, CancellationToken ct)
    {
        if (ledger.Existing(row) is { } done)
        {
            ledger.Count(row, done.Outcome, done.Message);
            return;
        }
        var legacy = LegacyValues.AsObject(row.Value);
        var name = LegacyValues.Text(legacy, "name") is { Length: > 0 } n ? n : "Project " + row.Key;
        var description = LegacyValues.Text(legacy, "description");
        var input = new ProjectInput(name.Length > 200 ? name[..200] : name, description, null,
            LegacyValues.Flag(legacy, "archived") ? ProjectStatus.Archived : ProjectStatus.Active);
        var extra = LegacyValues.Rest(legacy, "id", "name", "description", "archived").ToJsonString();
        try
        {
            ProjectRules.Validate(input);
        }
        catch (ValidationFailedException ex)
        {
            ledger.Count(row, LegacyOutcome.Failed, "Not a valid project: " + string.Join(" ", ex.Errors.Values.SelectMany(v => v)));
            return;
        }
        await units.AddAsync(row, async () => (await projects.CreateAsync(ledger.Owner, input, ct)).Id, LegacyTargetKinds.Project, extra, ct);
    }

    /// <summary>Writes the projects still waiting, before anything that may point at them.</summary>
    public Task FlushAsync(CancellationToken ct) => units.FlushAsync(ct);
}
