using Microsoft.IdentityModel.Tokens;

namespace Dispatch.Server.Identity;

/// <summary>
/// The embedded signing key as the running server sees it. A key from configuration never changes; a key file is looked at
/// again (one <c>stat</c>, at most every <see cref="CheckInterval"/>) and re-read when it changed, so after
/// <c>keys rotate</c> a running server refuses tokens signed with the old key within about a second, without a restart.
/// </summary>
public sealed class SigningKeyRing
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly string? _path;
    private readonly ILogger? _logger;
    private readonly Lock _gate = new();
    private SymmetricSecurityKey _current;
    private DateTime _fileStamp;
    private long _nextCheck;

    public SigningKeyRing(AuthOptions options, string dataDirectory, ILogger? logger = null)
    {
        _current = SigningKeyStore.Load(options, dataDirectory);
        if (string.IsNullOrWhiteSpace(options.SigningKey))
        {
            _path = SigningKeyStore.KeyPath(options, dataDirectory);
            _fileStamp = File.GetLastWriteTimeUtc(_path);
        }

        _logger = logger;
        _nextCheck = Environment.TickCount64 + (long)CheckInterval.TotalMilliseconds;
    }

    public SymmetricSecurityKey Current
    {
        get
        {
            if (_path is not null && Environment.TickCount64 >= Volatile.Read(ref _nextCheck))
            {
                Refresh();
            }

            return Volatile.Read(ref _current);
        }
    }

    private void Refresh()
    {
        lock (_gate)
        {
            if (Environment.TickCount64 < _nextCheck)
            {
                return;
            }

            _nextCheck = Environment.TickCount64 + (long)CheckInterval.TotalMilliseconds;
            try
            {
                var stamp = File.GetLastWriteTimeUtc(_path!);
                if (stamp == _fileStamp)
                {
                    return;
                }

                var key = SigningKeyStore.ReadFile(_path!);
                _fileStamp = stamp;
                if (key.KeyId != _current.KeyId)
                {
                    Volatile.Write(ref _current, key);
                    _logger?.LogWarning("The signing key file changed: tokens signed with the previous key are refused from now on (new key id {KeyId}).", key.KeyId);
                }
            }
            catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or UnauthorizedAccessException)
            {
                // A half-replaced or unreadable file: keep the key we have and look again at the next check.
                _logger?.LogWarning("Could not read the signing key file ({Error}); keeping the current key.", e.Message);
            }
        }
    }
}
