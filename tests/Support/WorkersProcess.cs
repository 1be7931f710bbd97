using System.Diagnostics;

namespace Catalyst.Tests.Support;

/// <summary>
/// The built worker (<c>src/Workers/bin/&lt;Configuration&gt;/net10.0/Catalyst.Workers.dll</c>) as a real
/// process, in Production, with inherited settings removed so only the test's count: commands run
/// to their end, or the host started and watched.
/// </summary>
public sealed class WorkersProcess : IDisposable
{
    private readonly ChildProcess _process;

    private WorkersProcess(ChildProcess process) => _process = process;

    public Process Process => _process.Process;

    /// <summary>Standard output and error, interleaved as they arrived.</summary>
    public string Output => _process.Output;

    public static string Dll => RepositoryPaths.BuildOutput("Workers", "Catalyst.Workers");

    public static WorkersProcess Start(string[] args, IReadOnlyDictionary<string, string> environment) =>
        new(ChildProcess.Start(Options(args, environment)));

    /// <summary>Runs a command to its end: exit code, standard output, standard error.</summary>
    public static Task<(int Code, string Out, string Err)> RunAsync(string[] args, IReadOnlyDictionary<string, string> environment, TimeSpan? timeout = null) =>
        ChildProcess.RunAsync(Options(args, environment), timeout);

    /// <summary>Waits until the output satisfies <paramref name="done"/>; fails with the output if the process exits first or a minute passes.</summary>
    public Task<string> WaitForAsync(Func<string, bool> done) => _process.WaitForOutputAsync(done);

    public void Dispose() => _process.Dispose();

    private static ChildProcessOptions Options(string[] args, IReadOnlyDictionary<string, string> environment) => new()
    {
        Name = "The worker",
        Arguments = [Dll, .. args],
        Environment = new Dictionary<string, string>(environment) { ["DOTNET_ENVIRONMENT"] = environment.GetValueOrDefault("DOTNET_ENVIRONMENT", "Production") },
    };
}
