using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Dispatch.Domain.Tests.Geo;

/// <summary>
/// Serializes and deserializes with Orleans' own serializer, so a missing [Id] or a type the codec cannot
/// activate fails here rather than in a silo. Shared by the round-trip tests of every domain folder.
/// </summary>
public static class OrleansRoundTrip
{
    private static readonly Lazy<Serializer> Serializer = new(() =>
        new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>());

    public static T Copy<T>(T value) => Serializer.Value.Deserialize<T>(Serializer.Value.SerializeToArray(value))!;
}
