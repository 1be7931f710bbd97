namespace Catalyst.Tests.Unit.Infrastructure;

/// <summary>The Portal's log files (compact JSON, one event a line, under <c>&lt;data&gt;/logs</c>).</summary>
public static class PortalLogs
{
    public static string ReadAll(string directory)
    {
        if (!Directory.Exists(directory))
            return "";
        var text = new System.Text.StringBuilder();
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            // The sink keeps the file open for writing; share it.
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            text.Append(reader.ReadToEnd());
        }
        return text.ToString();
    }
}
