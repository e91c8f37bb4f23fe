namespace Hnn.IO;

/// <summary>
/// One process's exclusive claim on an output folder while it writes a run there: the file <c>.lock</c> in the
/// folder, held open with an operating-system lock (<c>flock</c> on Linux, a sharing lock on Windows). The
/// operating system releases it when the process ends, however it ends, so a crashed or killed run leaves no stale
/// claim; the file itself stays (deleting a lock file races the next claim).
/// </summary>
/// <remarks>
/// The lock is advisory: it keeps out another <see cref="FolderLock"/>, e.g. a second <c>hnn job</c> on the same
/// sweep job (a sweep started twice, a scheduler retrying a task that is still running), not a process that
/// writes the folder without asking. It does not wait: a folder already claimed is reported at once.
/// </remarks>
public sealed class FolderLock : IDisposable
{
    /// <summary>The lock file's name inside the folder.</summary>
    public const string FileName = ".lock";

    readonly FileStream stream;

    FolderLock(FileStream stream, string path)
    {
        this.stream = stream;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>Claims <paramref name="folder"/> (creating it if needed) for this process until disposed.</summary>
    /// <exception cref="FolderBusyException">Another process (or another claim in this one) holds the folder.</exception>
    /// <exception cref="IOException">The folder cannot be created, or its lock file cannot be opened.</exception>
    public static FolderLock Acquire(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, FileName);
        try
        {
            return new FolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None), path);
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            throw new FolderBusyException(folder, path);
        }
    }

    // .NET reports a lock held elsewhere as an IOException carrying EWOULDBLOCK (11) on Linux and
    // ERROR_SHARING_VIOLATION (0x20) or ERROR_LOCK_VIOLATION (0x21) in an HRESULT on Windows.
    static bool IsHeldElsewhere(IOException e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 0x20 or 0x21 : e.HResult is 11 or 35;

    /// <summary>Releases the claim (the lock file stays).</summary>
    public void Dispose() => stream.Dispose();
}

/// <summary>A folder is claimed by another run (<see cref="FolderLock"/>); nothing was written to it.</summary>
public sealed class FolderBusyException : IOException
{
    /// <summary>The folder and the lock file that is held.</summary>
    public FolderBusyException(string folder, string lockFile)
        : base($"{folder} is in use by another process (it holds {lockFile})")
    {
        Folder = folder;
        LockFile = lockFile;
    }

    /// <summary>The claimed folder.</summary>
    public string Folder { get; }

    /// <summary>Its lock file.</summary>
    public string LockFile { get; }
}
