namespace Catalyst.Data.Configuration;

/// <summary>Absolute locations under <c>Catalyst:DataDirectory</c>, created on first use.</summary>
public sealed class CatalystPaths
{
    public CatalystPaths(string contentRoot, string dataDirectory)
    {
        DataDirectory = Path.GetFullPath(Path.Combine(contentRoot, dataDirectory));
        try
        {
            Directory.CreateDirectory(DataDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Named by its setting: the raw message ("No such file") does not say which path or why it matters.
            throw new IOException($"The data directory {DataDirectory} (Catalyst:DataDirectory) cannot be created: {ex.Message}", ex);
        }
    }

    public string DataDirectory { get; }
    public string SqliteFile => Path.Combine(DataDirectory, "catalyst.db");
    public string Logs => Sub("logs");
    public string Blobs => Sub("blobs");

    private string Sub(string name)
    {
        var path = Path.Combine(DataDirectory, name);
        Directory.CreateDirectory(path);
        return path;
    }
}
