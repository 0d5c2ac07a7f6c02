namespace Newsletter.Common;

/// <summary>
/// Files that hold secrets or personal data (the link-signing key, the database, outbox messages, whose links are
/// valid tokens) are created readable by their owner only (0600), in folders only the owner can open (0700), on
/// Unix. Folders and files that exist already keep their permissions: an admin may have chosen them.
/// </summary>
public static class PrivateFiles
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the folder and any missing parent, each 0700.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path); // inherits the parent's ACL
            return;
        }
        // Directory.CreateDirectory gives the mode to the last folder only: create the missing parents one by one.
        var missing = new Stack<string>();
        for (var folder = Path.GetFullPath(path); !Directory.Exists(folder); folder = Path.GetDirectoryName(folder)!)
        {
            missing.Push(folder);
        }
        while (missing.TryPop(out var folder))
        {
            Directory.CreateDirectory(folder, OwnerFolder);
        }
    }

    /// <summary>Opens <paramref name="path"/> for writing; a file it creates is 0600 from the start (never briefly readable by others).</summary>
    public static FileStream Create(string path, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerFile;
        }
        return new FileStream(path, options);
    }
}
