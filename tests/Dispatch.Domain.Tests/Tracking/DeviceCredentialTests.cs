using Dispatch.Domain.Tracking;

namespace Dispatch.Domain.Tests.Tracking;

public class DeviceCredentialTests
{
    [Fact]
    public void Keys_are_256_bit_base64url_and_hash_to_a_stable_value()
    {
        var key = DeviceKeys.Generate();

        Assert.Equal(43, key.Length);
        Assert.DoesNotContain('+', key);
        Assert.DoesNotContain('/', key);
        Assert.NotEqual(key, DeviceKeys.Generate());
        Assert.Equal(DeviceKeys.Hash(key), DeviceKeys.Hash(key));
        Assert.True(DeviceKeys.HashesEqual(DeviceKeys.Hash(key), DeviceKeys.Hash(key)));
        Assert.False(DeviceKeys.HashesEqual(DeviceKeys.Hash(key), DeviceKeys.Hash(key + "x")));
    }

    [Theory]
    [InlineData("acme/truck-7:abc", "acme", "truck-7", "abc")]
    [InlineData("truck-7:abc", "default", "truck-7", "abc")]
    public void Parses_qualified_and_unqualified_credentials(string text, string tenant, string device, string key)
    {
        Assert.True(DeviceCredential.TryParse(text, "default", out var credential));
        Assert.Equal((tenant, device, key), (credential.Tenant, credential.DeviceId, credential.Key));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no-colon")]
    [InlineData(":key")]
    [InlineData("dev:")]
    [InlineData("a/b/c:key")]
    [InlineData("bad id:key")]
    public void Refuses_malformed_credentials(string? text) => Assert.False(DeviceCredential.TryParse(text, "default", out _));
}
