namespace Mail2Sms.Gateway;

/// <summary>
/// Files that hold secrets at rest (the database with its password hashes and API key hashes, the STARTTLS
/// certificate's private key) are made readable by this user only: files 0600, the folders made for them 0700.
/// </summary>
public static class PrivateFiles
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = OwnerFile | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="folder"/> (0700) when it does not exist; an existing one is left as the operator set it.</summary>
    public static void CreateFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, OwnerFolder);
        }
    }

    /// <summary>Creates <paramref name="path"/> empty (0600) and its folder (0700) when it does not exist yet; true when it made it.</summary>
    public static bool CreateFile(string path)
    {
        CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            using var file = Open(path, FileMode.CreateNew);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to a new file <paramref name="path"/> (0600, its folder 0700).</summary>
    public static void Write(string path, byte[] bytes)
    {
        CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var file = Open(path, FileMode.CreateNew);
        file.Write(bytes);
    }

    private static FileStream Open(string path, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerFile;
        }

        return new FileStream(path, options);
    }
}
