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

        return FromBytes(Convert.FromBase64String(File.ReadAllText(path).Trim()));
    }

    public static string KeyPath(AuthOptions options, string dataDirectory) =>
        Path.GetFullPath(Path.Combine(dataDirectory, options.SigningKeyFile));

    private static void CreateKeyFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes));
        var temp = path + ".tmp";
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

    private static SymmetricSecurityKey FromBytes(byte[] bytes)
    {
        if (bytes.Length < KeyBytes)
        {
            throw new InvalidOperationException($"The signing key must be at least {KeyBytes * 8} bits.");
        }

        return new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexString(SHA256.HashData(bytes))[..16] };
    }
}
