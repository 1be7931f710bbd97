namespace Catalyst.Tests.Support;

/// <summary>
/// The legacy apps' exports in tests/fixtures/legacy, made by generate.mjs through the old apps'
/// own libraries. The small and hostile sets are committed; the large one is generated for the bench.
/// </summary>
public static class LegacyFixtures
{
    public static string Folder => Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "legacy");

    /// <summary>The committed small set (tests/fixtures/legacy/small).</summary>
    public static string Small => Set("small");

    /// <summary>The data files of a set in the order a user would pick them (manifest.json, the test oracle, left out); fails saying how to make a missing set.</summary>
    public static string[] DumpFiles(string set)
    {
        var folder = Set(set);
        return Directory.GetFiles(folder, "*.json").Where(f => !Path.GetFileName(f).StartsWith("manifest", StringComparison.Ordinal)).Order().ToArray();
    }

    /// <summary>The folder of a set; fails saying how to make it when it is missing or empty.</summary>
    public static string Set(string set)
    {
        var folder = Path.Combine(Folder, set);
        if (Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.json").Any())
            return folder;
        var command = set == "large" ? "npm run large -- large" : "npm run small";
        throw new FileNotFoundException(
            $"The legacy fixture set '{set}' is missing from {folder}. Make it with `cd tests/fixtures/legacy && npm ci && {command}`" +
            (set == "large" ? "." : " (the set is committed: `git checkout -- tests/fixtures/legacy` restores it)."), folder);
    }

    /// <summary>Whether a set is there (the large one is optional).</summary>
    public static bool Exists(string set)
    {
        var folder = Path.Combine(Folder, set);
        return Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.json").Any();
    }
}
