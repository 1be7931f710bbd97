using System.Runtime.InteropServices;
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
            return Publish(temporary, file);
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

    /// <summary>
    /// Puts the finished temporary file in place unless the key file exists, atomically: on Unix a
    /// hard link, which fails when the name is taken on every file system (File.Move without
    /// overwrite may check and then rename where the file system lacks a no-replace rename, and
    /// then two processes both "win" with different keys). Windows' move without replace is atomic.
    /// </summary>
    private static bool Publish(string temporary, string file)
    {
        if (OperatingSystem.IsWindows())
        {
            File.Move(temporary, file, overwrite: false);
            return true;
        }
        if (NativeMethods.Link(temporary, file) == 0)
            return true;
        var error = Marshal.GetLastPInvokeError();
        if (error == NativeMethods.EEXIST)
            return false;
        throw new IOException($"Could not create {file} (errno {error}).");
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

internal static class NativeMethods
{
    public const int EEXIST = 17;

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int link(byte[] existing, byte[] created);

    /// <summary>link(2) with the paths as NUL-terminated UTF-8.</summary>
    public static int Link(string existing, string created) => link(CString(existing), CString(created));

    private static byte[] CString(string path) => Encoding.UTF8.GetBytes(path + '\0');
}
