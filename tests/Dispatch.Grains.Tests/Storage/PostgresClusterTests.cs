using Dispatch.Grains.Hosting;
using Dispatch.Testing;
using Microsoft.Extensions.Hosting;

namespace Dispatch.Grains.Tests.Storage;

/// <summary>Postgres mode clusters for real: ADO.NET membership in PostgreSQL, TCP between silos on loopback.</summary>
public sealed class PostgresClusterTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_silos_on_different_ports_form_one_cluster()
    {
        var first = TestSilo.Options(StorageMode.Postgres, await postgres.CreateDatabaseAsync("cluster", Ct));
        var second = first.WithNewPorts();
        var deadline = TimeSpan.FromSeconds(60);

        var hosts = new List<IHost>();
        try
        {
            // Start both at once: the schema migration on start-up must cope with that too.
            var starting = new[] { TestSilo.StartAsync(first), TestSilo.StartAsync(second) };
            try
            {
                await Task.WhenAll(starting);
            }
            finally
            {
                hosts.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }

            foreach (var host in hosts)
            {
                var management = host.Grains().GetGrain<IManagementGrain>(0);
                await Eventually.Until(
                    async () => (await management.GetHosts(true, Ct)).Count == 2,
                    deadline,
                    "both silos are active members",
                    TimeSpan.FromMilliseconds(250),
                    Ct);
            }

            var active = await hosts[0].Grains().GetGrain<IManagementGrain>(0).GetHosts(true, Ct);
            Assert.Equal(new[] { first.SiloPort, second.SiloPort }.Order(), active.Keys.Select(silo => silo.Endpoint.Port).Order());

            // A graceful stop leaves the membership table right away.
            await TestSilo.StopAsync(hosts[1]);
            hosts.RemoveAt(1);
            var remaining = hosts[0].Grains().GetGrain<IManagementGrain>(0);
            await Eventually.Until(
                async () => (await remaining.GetHosts(true, Ct)).Count == 1,
                deadline,
                "the stopped silo is no longer active",
                TimeSpan.FromMilliseconds(250),
                Ct);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await TestSilo.StopAsync(host);
            }
        }
    }
}
