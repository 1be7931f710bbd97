using Catalyst.Data.Backups;

namespace Catalyst.Workers.Commands;

/// <summary><c>verify-backup FILE</c>: checks a website backup or an account archive without importing; exit code 3 when damaged.</summary>
public static class VerifyBackupCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var path = args.FirstOrDefault(a => !a.StartsWith('-'));
        if (path is null || !File.Exists(path))
        {
            await Console.Error.WriteLineAsync(path is null ? "Usage: verify-backup FILE" : $"No such file: {path}");
            return 2;
        }
        var check = await BackupVerifier.VerifyFileAsync(path, ct);
        foreach (var fact in check.Facts)
            await Console.Out.WriteLineAsync("  " + fact);
        if (check.Valid)
        {
            await Console.Out.WriteLineAsync($"OK: {path} is a valid {check.Kind}.");
            return 0;
        }
        await Console.Error.WriteLineAsync($"DAMAGED: {path} ({check.Kind}):");
        foreach (var problem in check.Problems)
            await Console.Error.WriteLineAsync("  - " + problem);
        return 3;
    }
}
