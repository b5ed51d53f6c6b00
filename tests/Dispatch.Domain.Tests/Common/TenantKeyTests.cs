using Dispatch.Domain.Common;

namespace Dispatch.Domain.Tests.Common;

public class TenantKeyTests
{
    [Fact]
    public void Round_trips() => Assert.Equal(("acme", "wo-1"), TenantKey.Parse(TenantKey.Compose("acme", "wo-1")));

    [Theory]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("x y")]
    public void Refuses_ids_that_would_make_keys_ambiguous(string id) =>
        Assert.Equal(ErrorCodes.Validation, Assert.Throws<DomainException>(() => TenantKey.Compose("acme", id)).Code);

    [Theory]
    [InlineData("no-separator")]
    [InlineData("/id")]
    [InlineData("tenant/")]
    public void Parse_refuses_malformed_keys(string key) => Assert.Throws<FormatException>(() => TenantKey.Parse(key));
}
