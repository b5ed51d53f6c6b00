using Dispatch.Testing;

namespace Dispatch.Server.Tests.Security;

/// <summary>
/// The security matrix for subscriptions: every subscription row × every principal × graphql-transport-ws and graphql-sse.
/// Allowed cells must receive the event a change in tenant A causes; refused cells must be refused; the other tenant's
/// cells must receive their own tenant's events (the sentinel) and never tenant A's, even for the same ids.
/// </summary>
public sealed class SubscriptionMatrixTests(SecurityWorld world) : IClassFixture<SecurityWorld>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    /// <summary>A refusal happens when the subscription starts; this only bounds how long a wrongly accepted one is watched.</summary>
    private static readonly TimeSpan RefusalDeadline = TimeSpan.FromSeconds(5);

    public static TheoryData<string, Principal, Transport, Outcome> Subscriptions
    {
        get
        {
            var data = new TheoryData<string, Principal, Transport, Outcome>();
            foreach (var (row, principal, expected) in MatrixTests.Cells(OperationKind.Subscription))
            {
                foreach (var transport in Enum.GetValues<Transport>())
                    data.Add(row, principal, transport, expected);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Subscriptions))]
    public async Task Subscription(string operation, Principal principal, Transport transport, Outcome expected)
    {
        var op = MatrixOperations.Find(operation);
        var cell = await op.Arrange(world, principal);
        await using var probe = await SubscriptionProbe.StartAsync(transport, world.Process.BaseAddress, world.Authorization(principal), cell.Document, cell.Variables);

        switch (expected)
        {
            case Outcome.Allowed:
                await FireUntil(probe, cell.Trigger!, () => probe.Data.Any(cell.IsEvent!), Deadline);
                Assert.True(probe.Refusals.Count == 0 && probe.Data.Any(cell.IsEvent!),
                    $"expected Allowed, actual: {Actual(probe)}");
                break;

            case Outcome.Denied or Outcome.Unauthenticated:
                // Keep causing events, so a subscription wrongly accepted shows what it would have delivered.
                await FireUntil(probe, cell.Trigger!, () => probe.Data.Count > 0, RefusalDeadline, quietly: true);
                var wrong = MatrixVerdict.CheckRefusal(expected, probe.Refusals);
                Assert.True(wrong is null && probe.Data.Count == 0, $"expected {expected}, actual: {Actual(probe)} {wrong}");
                break;

            default:
                await CheckScopedAsync(probe, cell, principal, transport, expected);
                break;
        }
    }

    /// <summary>
    /// The other tenant: its own events arrive (so the subscription is live), tenant A's do not. A witness subscribed as
    /// tenant A's admin proves A's event was published before the sentinel is caused, so a leak would be delivered first.
    /// </summary>
    private async Task CheckScopedAsync(SubscriptionProbe probe, Cell cell, Principal principal, Transport transport, Outcome expected)
    {
        await FireUntil(probe, cell.Sentinel!, () => probe.Data.Any(cell.IsSentinel!), Deadline, quietly: true);
        if (probe.Refusals.Count > 0)
        {
            Assert.True(MatrixVerdict.CheckRefusal(expected, probe.Refusals) is null && probe.Data.Count == 0,
                $"expected {expected}, actual: {Actual(probe)}");
            return;
        }

        Assert.True(probe.Data.Any(cell.IsSentinel!), $"expected {expected} (own tenant's events arrive), actual: {Actual(probe)}");
        await using (var witness = await SubscriptionProbe.StartAsync(transport, world.Process.BaseAddress, world.Authorization(Principal.Admin), cell.Document, cell.Variables))
            await FireUntil(witness, cell.Trigger!, () => witness.Data.Any(cell.IsEvent!), Deadline);

        var seen = probe.Data.Count(cell.IsSentinel!);
        await FireUntil(probe, cell.Sentinel!, () => probe.Data.Count(cell.IsSentinel!) > seen, Deadline);
        foreach (var data in probe.Data)
        {
            var leak = MatrixVerdict.Leak(data, MatrixVerdict.Markers(world, principal));
            Assert.True(leak is null, $"expected {expected}, actual leak: {leak}");
        }
    }

    /// <summary>Causes an event every half second until the condition holds or the probe is refused.</summary>
    private static async Task FireUntil(SubscriptionProbe probe, Func<Task> cause, Func<bool> condition, TimeSpan deadline, bool quietly = false)
    {
        var attempt = 0;
        try
        {
            await Eventually.Until(async () =>
            {
                if (probe.Refusals.Count > 0 || condition())
                    return true;
                if (attempt++ % 5 == 0)
                    await cause();
                return false;
            }, deadline, "the subscription answered", TimeSpan.FromMilliseconds(100));
        }
        catch (TimeoutException) when (quietly)
        {
            // The caller's assertion says what was (not) seen.
        }
        catch (TimeoutException)
        {
            Assert.Fail($"nothing within {deadline.TotalSeconds} s: {Actual(probe)}");
        }
    }

    private static string Actual(SubscriptionProbe probe) =>
        probe.Refusals.Count > 0 ? $"refused {string.Join(", ", probe.Refusals)}"
        : probe.Data.Count > 0 ? $"Allowed, received {MatrixVerdict.Shorten(string.Join(" | ", probe.Data))}"
        : "accepted, nothing received";
}
