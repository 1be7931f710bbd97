using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Catalyst.Bench;

/// <summary>The JSON report: where and when it was measured, and each scenario's figures.</summary>
public sealed record BenchReport(DateTimeOffset Date, MachineInfo Machine, TargetInfo Target, IReadOnlyList<ScenarioReport> Scenarios)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task WriteAsync(string path, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, this, Json, ct);
    }
}

public sealed record MachineInfo(int Cores, string Os, string DotNet, string Architecture, string? Cpu)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
        RuntimeInformation.ProcessArchitecture.ToString(), CpuModel());

    private static string? CpuModel()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (!File.Exists(cpuinfo))
            return null;
        var line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}

/// <summary>What was measured: the Portal started by the bench (<c>local</c>) or a given URL (<c>url</c>).</summary>
public sealed record TargetInfo(string Mode, string Url, string Configuration, string? Commit)
{
    /// <summary>The Portal's blob store in this run.</summary>
    public string Store { get; init; } = "FileSystem";

    public static string? GitCommit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["rev-parse", "--short", "HEAD"])
            {
                WorkingDirectory = RepositoryPaths.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (git is null)
                return null;
            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? commit : null;
        }
        catch (Win32Exception)
        {
            return null;
        }
    }
}

public sealed record ScenarioReport(
    string Name,
    string Description,
    IReadOnlyDictionary<string, object> Parameters,
    LoadResult Catalyst,
    LoadResult? Baseline,
    IReadOnlyDictionary<string, double?> Ratios,
    IReadOnlyDictionary<string, double> ServerCpuMsPerRequest,
    IReadOnlyList<TargetCheck> Targets,
    bool Passed,
    IReadOnlyList<RunRecord> Runs,
    IReadOnlyList<string> Notes);

public sealed record TargetCheck(string Name, string Target, double? Measured, bool Passed);

public sealed record RunRecord(int Round, string Side, bool Kept, LoadResult Result);
