using Dispatch.Grains.Hosting;
using Dispatch.Server.Identity;

namespace Dispatch.Server.Hosting;

/// <summary>Everything the process reads from configuration, bound once and shared by the server and the CLI verbs.</summary>
public sealed class DispatchSettings
{
    public const string DefaultUrl = "http://localhost:5080";

    public required string DataDirectory { get; init; }
    public required DispatchStorageOptions Storage { get; init; }
    public required AuthOptions Auth { get; init; }

    /// <summary>Seed the demo tenant at start-up when it is empty (<c>--demo</c>).</summary>
    public bool Demo { get; init; }

    /// <summary>How long to keep serving after SIGTERM while readiness reports 503 (0 in embedded mode).</summary>
    public TimeSpan ShutdownDrain { get; init; }

    /// <summary>Running as a Kubernetes pod (Orleans Kubernetes hosting). Defaults to on when the pod's env says so.</summary>
    public bool Kubernetes { get; init; }

    public static DispatchSettings From(IConfiguration configuration)
    {
        var storage = configuration.GetSection(DispatchStorageOptions.SectionName).Get<DispatchStorageOptions>() ?? new DispatchStorageOptions();
        var dataDirectory = Path.GetFullPath(configuration["Dispatch:DataDirectory"] ?? storage.DataDirectory);
        storage.DataDirectory = dataDirectory;
        return new DispatchSettings
        {
            DataDirectory = dataDirectory,
            Storage = storage,
            Auth = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions(),
            Demo = configuration.GetValue("Dispatch:Demo", false),
            ShutdownDrain = TimeSpan.FromSeconds(configuration.GetValue("Dispatch:ShutdownDrainSeconds", 0.0)),
            Kubernetes = configuration.GetValue("Dispatch:Kubernetes",
                !string.IsNullOrEmpty(configuration["KUBERNETES_SERVICE_HOST"]) && !string.IsNullOrEmpty(configuration["POD_NAME"])),
        };
    }
}
