using System.Net;
using System.Net.Sockets;

namespace Dispatch.Testing;

/// <summary>Free TCP ports on the loopback interface, for silos, gateways, web hosts and the throwaway PostgreSQL.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Handed = [];
    private static readonly Lock Gate = new();

    /// <summary>
    /// A port the OS reports free right now (bind to port 0, read it, release it). Never returns the same port twice in
    /// one process, so parallel tests asking at the same moment don't collide with each other; another process can still
    /// take the port before it is used, which callers that start servers should treat as a retryable failure.
    /// </summary>
    public static int Get()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (Gate)
            {
                if (Handed.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("Could not find a free loopback port.");
    }
}
