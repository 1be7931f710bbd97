using System.Diagnostics;
using System.Text;

namespace Catalyst.Tests.Unit.Infrastructure;

/// <summary>
/// The built worker (<c>src/Workers/bin/&lt;Configuration&gt;/net10.0/Catalyst.Workers.dll</c>) as a real
/// process, in Production, with inherited settings removed so only the test's count: commands run
/// to their end, or the host started and watched.
/// </summary>
public sealed class WorkersProcess : IDisposable
{
    private readonly StringBuilder _output = new();

    private WorkersProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>Standard output and error, interleaved as they arrived.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static string Dll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            return Path.Combine(RepositoryPaths.Root, "src", "Workers", "bin", configuration, "net10.0", "Catalyst.Workers.dll");
        }
    }

    public static WorkersProcess Start(string[] args, IReadOnlyDictionary<string, string> environment) =>
        new(Process.Start(StartInfo(args, environment)) ?? throw new InvalidOperationException("Could not start the worker."));

    /// <summary>Runs a command to its end: exit code, standard output, standard error.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(string[] args, IReadOnlyDictionary<string, string> environment, TimeSpan? timeout = null)
    {
        using var process = Process.Start(StartInfo(args, environment))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Waits until the output satisfies <paramref name="done"/>; fails with the output if the process exits first or a minute passes.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!done(Output))
        {
            if (Process.HasExited)
                throw new InvalidOperationException($"The worker exited with {Process.ExitCode}:\n{Output}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The worker did not get there:\n" + Output);
            await Task.Delay(100);
        }
        return Output;
    }

    public void Dispose()
    {
        if (!Process.HasExited)
            Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [Dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var key in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        return start;
    }
}
