using System.Text.RegularExpressions;
using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Architecture;

/// <summary>
/// The rules of docs/architecture.md, read from the compiled assemblies: Data has no HTTP, the
/// platform never uses a feature, Workers never uses the Portal, the Portal uses Workers only to
/// host the job server, and the parts of Catalyst.Data use each other exactly along the arrows the
/// document's table draws (an undeclared arrow fails, and so does a declared one that is gone),
/// which form no cycle.
/// </summary>
public sealed partial class ArchitectureTests
{
    private const string DataRoot = "Catalyst.Data";

    private static readonly Lazy<ArchUnitNET.Domain.Architecture> Loaded = new(() => new ArchLoader()
        .LoadAssemblies(typeof(Catalyst.Data.CatalystDbContext).Assembly, typeof(Catalyst.Workers.Hosting.WorkerHost).Assembly, typeof(Program).Assembly)
        .Build());

    private static IEnumerable<IType> TypesOf(string assemblyName) =>
        Loaded.Value.Types.Where(t => t.Assembly.Name.StartsWith(assemblyName + ",", StringComparison.Ordinal) || t.Assembly.Name == assemblyName);

    [Fact]
    public void Data_never_uses_http()
    {
        // Identity's EF stores and Data Protection's key storage live under Microsoft.AspNetCore.* but are not HTTP.
        string[] allowed = ["Microsoft.AspNetCore.Identity", "Microsoft.AspNetCore.DataProtection"];
        var offenders = TypesOf("Catalyst.Data")
            .SelectMany(t => t.Dependencies.Select(d => (From: t.FullName, To: d.Target.FullName)))
            .Where(d => d.To.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal)
                        && !allowed.Any(a => d.To.StartsWith(a + ".", StringComparison.Ordinal)))
            .Select(d => $"{d.From} → {d.To}")
            .Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(offenders.Count == 0, "Catalyst.Data uses HTTP types:\n" + string.Join("\n", offenders));
        // Types used only in a catch clause or an attribute may not show as dependencies: the assembly's references say it too.
        var references = typeof(Catalyst.Data.CatalystDbContext).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal) && !allowed.Any(a => n.StartsWith(a, StringComparison.Ordinal)))
            .ToList();
        Assert.True(references.Count == 0, "Catalyst.Data references " + string.Join(", ", references));
    }

    [Fact]
    public void Workers_never_uses_the_portal()
    {
        var offenders = TypesOf("Catalyst.Workers")
            .SelectMany(t => t.Dependencies.Where(d => d.Target.Assembly.Name.StartsWith("Catalyst.Portal", StringComparison.Ordinal)).Select(d => $"{t.FullName} → {d.Target.FullName}"))
            .Distinct().ToList();
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
        Assert.DoesNotContain(typeof(Catalyst.Workers.Hosting.WorkerHost).Assembly.GetReferencedAssemblies(), a => a.Name == "Catalyst.Portal");
    }

    [Fact]
    public void The_portal_uses_workers_only_to_host_the_job_server()
    {
        var users = TypesOf("Catalyst.Portal")
            .Where(t => t.Dependencies.Any(d => d.Target.Assembly.Name.StartsWith("Catalyst.Workers", StringComparison.Ordinal)))
            .Select(t => t.FullName)
            .Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(users.SequenceEqual(["Catalyst.Portal.Infrastructure.PortalServices"]),
            "Only PortalServices may use Catalyst.Workers (to host the job server); found:\n" + string.Join("\n", users));
    }

    [Fact]
    public void The_parts_of_data_use_each_other_only_along_the_documented_arrows()
    {
        var documented = DocumentedParts();
        var actual = ActualGraph();

        var undocumentedParts = actual.Keys.Except(documented.Keys).Order(StringComparer.Ordinal).ToList();
        Assert.True(undocumentedParts.Count == 0, "Parts missing from docs/architecture.md: " + string.Join(", ", undocumentedParts));

        var problems = new List<string>();
        foreach (var (part, row) in documented)
        {
            var uses = actual.GetValueOrDefault(part) ?? [];
            foreach (var extra in uses.Except(row.Uses).Order(StringComparer.Ordinal))
                problems.Add($"{part} uses {extra}, an arrow docs/architecture.md does not draw");
            foreach (var stale in row.Uses.Except(uses).Order(StringComparer.Ordinal))
                problems.Add($"docs/architecture.md draws {part} → {stale}, which the code no longer has");
            if (row.Platform)
                foreach (var feature in uses.Where(u => documented.TryGetValue(u, out var r) && !r.Platform))
                    problems.Add($"platform part {part} uses the feature {feature}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n\nThe code's graph, as table rows:\n" + Rows(actual, documented));
    }

    [Fact]
    public void The_parts_have_no_cycles()
    {
        // The table equals the code (the test above), so a cycle in the table is one in the code.
        var documented = DocumentedParts();
        var graph = documented.ToDictionary(p => p.Key, p => p.Value.Uses.Where(documented.ContainsKey).ToHashSet());
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, "Cycle: " + (cycle is null ? "" : string.Join(" → ", cycle)));
    }

    /// <summary>Part → the other parts its types use (the root namespace and the EF migrations, which see everything, are left out).</summary>
    private static Dictionary<string, HashSet<string>> ActualGraph()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in TypesOf("Catalyst.Data"))
        {
            if (PartOf(type.Namespace?.FullName) is not { } part || part == "Migrations")
                continue;
            var uses = graph.TryGetValue(part, out var set) ? set : graph[part] = new HashSet<string>(StringComparer.Ordinal);
            foreach (var dependency in type.Dependencies)
                if (PartOf(dependency.Target?.Namespace?.FullName) is { } other && other != part && other != "Migrations")
                    uses.Add(other);
        }
        return graph;
    }

    private static string? PartOf(string? ns) =>
        ns is not null && ns.StartsWith(DataRoot + ".", StringComparison.Ordinal) ? ns[(DataRoot.Length + 1)..].Split('.')[0] : null;

    private sealed record Part(bool Platform, HashSet<string> Uses);

    /// <summary>The rows of the "Parts and arrows" table: | `Part` | platform or feature | `A`, `B` or — | … |</summary>
    private static Dictionary<string, Part> DocumentedParts()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "architecture.md"));
        var parts = new Dictionary<string, Part>(StringComparer.Ordinal);
        foreach (Match row in PartRow().Matches(text))
        {
            var uses = Regex.Matches(row.Groups["uses"].Value, "`([A-Za-z]+)`").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            parts[row.Groups["part"].Value] = new Part(row.Groups["layer"].Value == "platform", uses);
        }
        Assert.True(parts.Count > 10, "docs/architecture.md has no parts table");
        return parts;
    }

    private static string Rows(Dictionary<string, HashSet<string>> actual, Dictionary<string, Part> documented) =>
        string.Join("\n", actual.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
            $"| `{p.Key}` | {(documented.TryGetValue(p.Key, out var d) && d.Platform ? "platform" : "feature")} | "
            + (p.Value.Count == 0 ? "—" : string.Join(", ", p.Value.Order(StringComparer.Ordinal).Select(u => $"`{u}`"))) + " |"));

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(next) == 1)
                    return [.. path.SkipWhile(n => n != next), next];
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                    return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in graph.Keys)
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle)
                return cycle;
        return null;
    }

    [GeneratedRegex(@"^\| `(?<part>[A-Za-z]+)` \| (?<layer>platform|feature) \| (?<uses>[^|]*) \|", RegexOptions.Multiline)]
    private static partial Regex PartRow();
}
