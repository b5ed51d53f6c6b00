using Dispatch.Grains.Hosting;

namespace Dispatch.Grains.Tests.Storage;

/// <summary>Memory mode wires in-memory providers: state and reminders work within one silo's lifetime, with no database.</summary>
public sealed class MemoryModeTests
{
    [Fact]
    public async Task Grain_state_and_reminders_work_without_a_database()
    {
        var host = await TestSilo.StartAsync(TestSilo.Options(StorageMode.Memory));
        try
        {
            var grain = host.Grains().GetGrain<IStorageProbeGrain>($"memory-{Guid.NewGuid():N}");
            await grain.SetValue("in memory");
            Assert.Equal("in memory", await grain.GetValue());
            await grain.ScheduleReminder("tick", TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }
}
