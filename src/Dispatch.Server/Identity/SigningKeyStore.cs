using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Dispatch.Server.Identity;

/// <summary>
/// The embedded-mode signing key: 256 random bits created on first run, readable by the server's user only (0600), so a
/// fresh install needs no secret handed to it and tokens minted by the CLI verb are accepted by the server.
/// </summary>
public static class SigningKeyStore
{
    private const int KeyBytes = 32;

    public static SymmetricSecurityKey Load(AuthOptions options, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            return FromBytes(Convert.FromBase64String(options.SigningKey));
        }

        var path = KeyPath(options, dataDirectory);
        if (!File.Exists(path))
        {
            CreateKeyFile(path);
        }

        return ReadFile(path);
    }

    public static string KeyPath(AuthOptions options, string dataDirectory) =>
        Path.GetFullPath(Path.Combine(dataDirectory, options.SigningKeyFile));

    /// <summary>Reads the key file as it is now (the server's <see cref="SigningKeyRing"/> calls this when the file changes).</summary>
    public static SymmetricSecurityKey ReadFile(string path) => FromBytes(Convert.FromBase64String(File.ReadAllText(path).Trim()));

    /// <summary>
    /// Replaces the key file with a new random key (the <c>keys rotate</c> verb): every token signed with the old key is
    /// refused from then on. The new file is written beside the old one (0600 from the first byte) and renamed over it, so
    /// a server reading the file sees the old key or the new one, never half of either.
    /// </summary>
    public static SymmetricSecurityKey Rotate(AuthOptions options, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            throw new InvalidOperationException("The signing key comes from configuration (Dispatch:Auth:SigningKey); change it there.");
        }

        var path = KeyPath(options, dataDirectory);
        var temp = WriteNewKey(path);
        File.Move(temp, path, overwrite: true);
        return ReadFile(path);
    }

    private static void CreateKeyFile(string path)
    {
        var temp = WriteNewKey(path);

        try
        {
            // Two processes starting together must end up with one key: the first rename wins, the other keeps its file unused.
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
        }
    }

    private static string WriteNewKey(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes));
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created with 0600 from the first byte: never world-readable, not even briefly.
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, streamOptions))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(key);
        }

        return temp;
    }

    private static SymmetricSecurityKey FromBytes(byte[] bytes)
    {
        if (bytes.Length < KeyBytes)
        {
            throw new InvalidOperationException($"The signing key must be at least {KeyBytes * 8} bits.");
        }

        return new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexString(SHA256.HashData(bytes))[..16] };
    }
}
