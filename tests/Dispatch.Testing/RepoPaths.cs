namespace Dispatch.Testing;

/// <summary>Where the repository and its build outputs are, seen from a running test assembly.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, whichever this test assembly was built as; the server is built the same way.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public static string ServerAssembly { get; } =
        Path.Combine(Root, "src", "Dispatch.Server", "bin", Configuration, "net10.0", "Dispatch.Server.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dispatch.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Dispatch.sln above {AppContext.BaseDirectory}.");
    }
}
