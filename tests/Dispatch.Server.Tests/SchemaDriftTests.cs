using Dispatch.Testing;

namespace Dispatch.Server.Tests;

public class SchemaDriftTests
{
    /// <summary>docs/schema.graphql is what clients read; it must be exactly what the server serves.</summary>
    [Fact]
    public async Task Docs_schema_matches_the_code()
    {
        using var directory = TempDirectory.Create("dispatch-schema");
        var (exit, sdl, error) = await ServerProcess.RunVerbAsync(directory.Path, ["schema"]);
        Assert.True(exit == 0, error);

        var documented = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docs", "schema.graphql"));

        Assert.True(documented == sdl,
            "docs/schema.graphql is out of date. Regenerate it: dotnet run --project src/Dispatch.Server -- schema > docs/schema.graphql");
    }
}
