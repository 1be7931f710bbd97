using System.Diagnostics;

namespace Catalyst.Tests.Unit.Infrastructure;

/// <summary>
/// How much a process's working set grows while something runs (SPEC §15 memory bars): the peak
/// resident set during the run less the resident set before it. On Linux the kernel keeps the
/// peak (VmHWM), reset before the run through clear_refs; elsewhere the working set is sampled.
/// </summary>
public static class ProcessMemory
{
    public static async Task<long> PeakGrowthAsync(int processId, Func<Task> run)
    {
        using var process = Process.GetProcessById(processId);
        var status = $"/proc/{processId}/status";
        var kernelPeak = File.Exists(status);
        if (kernelPeak)
        {
            try { await File.WriteAllTextAsync($"/proc/{processId}/clear_refs", "5"); }
            catch (IOException) { kernelPeak = false; }
            catch (UnauthorizedAccessException) { kernelPeak = false; }
        }
        process.Refresh();
        var before = kernelPeak ? StatusBytes(status, "VmRSS:") : process.WorkingSet64;
        var sampled = before;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                sampled = Math.Max(sampled, process.WorkingSet64);
                try { await Task.Delay(10, stop.Token); } catch (OperationCanceledException) { } // a sampling interval
            }
        });
        try
        {
            await run();
        }
        finally
        {
            await stop.CancelAsync();
            await sampler;
        }
        var peak = kernelPeak ? Math.Max(sampled, StatusBytes(status, "VmHWM:")) : sampled;
        return peak - before;
    }

    private static long StatusBytes(string status, string field) =>
        long.Parse(File.ReadLines(status).First(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim().Split(' ')[0],
            System.Globalization.CultureInfo.InvariantCulture) * 1024;
}
