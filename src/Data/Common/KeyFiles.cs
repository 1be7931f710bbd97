using System.Text;

namespace Catalyst.Data.Common;

/// <summary>
/// The key files Catalyst generates into the data directory (<c>keys/presign.key</c>,
/// <c>secrets/master.key</c>; SPEC §16), readable by the process owner only. A new key is written
/// into a uniquely named file that is created with mode 0600 from the start (create-new with the
/// mode, so never with looser rights, never through a file or link someone left there), flushed to
/// disk, then linked into place without replacing anything: of two processes creating the key at
/// once the first wins and the other reads that key. Whatever fails, the temporary file goes.
/// Folders are 0700; a key file or folder found with looser rights (an older Catalyst, a copy) is
/// tightened when it is read. Windows keeps the folder's inherited ACL.
/// </summary>
public static class KeyFiles
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = OwnerReadWrite | UnixFileMode.UserExecute;

    /// <summary>The file's text, or null when there is no such file.</summary>
    public static string? Read(string file)
    {
        if (!File.Exists(file))
            return null;
        Tighten(Path.GetDirectoryName(file)!, OwnerOnlyFolder);
        Tighten(file, OwnerReadWrite);
        return File.ReadAllText(file);
    }

    /// <summary>Writes a new key file; false, with nothing written, when the file exists already.</summary>
    public static bool TryCreate(string file, string content)
    {
        var folder = Path.GetDirectoryName(file)!;
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(folder);
        else
            Directory.CreateDirectory(folder, OwnerOnlyFolder);
        Tighten(folder, OwnerOnlyFolder);

        var temporary = Path.Combine(folder, $".{Path.GetFileName(file)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerReadWrite;
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, file, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(file))
        {
            return false;
        }
        finally
        {
            File.Delete(temporary); // nothing there once moved
        }
    }

    private static void Tighten(string path, UnixFileMode wanted)
    {
        if (OperatingSystem.IsWindows())
            return;
        var mode = File.GetUnixFileMode(path);
        if ((mode & ~wanted) == 0)
            return;
        try
        {
            File.SetUnixFileMode(path, mode & wanted);
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to change (another owner made it readable to us): the key still reads.
        }
    }
}
