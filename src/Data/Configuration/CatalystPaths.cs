namespace Catalyst.Data.Configuration;

/// <summary>Absolute locations under <c>Catalyst:DataDirectory</c>, created on first use.</summary>
public sealed class CatalystPaths
{
    public CatalystPaths(string contentRoot, string dataDirectory)
    {
        DataDirectory = Path.GetFullPath(Path.Combine(contentRoot, dataDirectory));
        Directory.CreateDirectory(DataDirectory);
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
