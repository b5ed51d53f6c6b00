using System.Reflection;
using Dispatch.Grains.Hosting;
using Dispatch.Server.GraphQL;
using Dispatch.Server.Hosting;
using Dispatch.Server.Identity;
using Dispatch.Server.Observability;
using Dispatch.Server.Operations;
using Dispatch.Testing;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;
using YamlDotNet.RepresentationModel;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// No Docker engine or Kubernetes runs here, so docker-compose.yml, deploy/Dockerfile and deploy/k8s are held to the
/// native cluster tests instead: the same verbs, the same entry point, the same environment variable names, every one of
/// them a setting the binary reads.
/// </summary>
public class DeploymentConsistencyTests
{
    private static readonly string[] ClusterTestVariables =
        [.. SiloCluster.Environment("Host=x", "key", "c").Keys, "Dispatch__Storage__SiloPort", "Dispatch__Storage__GatewayPort"];

    [Fact]
    public void Compose_silos_set_what_the_cluster_test_sets_and_nothing_the_binary_ignores()
    {
        var services = (YamlMappingNode)Load("docker-compose.yml")["services"];
        var silos = services.Children.Where(s => s.Key.ToString().StartsWith("silo", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, silos.Length);
        foreach (var (name, node) in silos)
        {
            var service = (YamlMappingNode)node;
            var environment = Environment(service).Keys.Concat(DockerfileEnvironment().Keys).ToHashSet();
            Assert.All(environment, Honoured);
            // Ports and the data directory come from the image; every other setting of the cluster test is set here.
            Assert.All(ClusterTestVariables.Where(v => v != "Logging__Console__FormatterName"), v => Assert.Contains(v, environment));
            Assert.Equal("Postgres", Environment(service)["Dispatch__Storage__Mode"]);
            Assert.Equal(name.ToString(), Environment(service)["Dispatch__Storage__AdvertisedAddress"]);
        }

        // The schema step runs the verb the cluster test runs, with the silos' settings.
        var migrate = (YamlMappingNode)services["migrate"];
        Assert.Equal(["migrate"], Sequence(migrate["command"]));
        Assert.All(Environment(migrate).Keys, Honoured);
        Assert.Equal("Postgres", Environment(migrate)["Dispatch__Storage__Mode"]);

        // The simulator is optional: only with --profile simulator.
        var simulator = (YamlMappingNode)services["simulator"];
        Assert.Equal(["simulator"], Sequence(simulator["profiles"]));
    }

    [Fact]
    public void The_image_runs_the_binary_the_tests_run_as_a_non_root_user()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "deploy", "Dockerfile"));
        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToArray();
        Assert.True(stages.Length >= 2, "multi-stage build");
        Assert.Contains("aspnet", stages[^1], StringComparison.Ordinal);
        var runtime = lines.SkipWhile(l => l != stages[^1]).ToArray();
        Assert.Contains(runtime, l => l.Trim() == "USER app");
        var entry = Assert.Single(runtime, l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal));
        Assert.Contains($"\"{Path.GetFileName(RepoPaths.ServerAssembly)}\"", entry, StringComparison.Ordinal);
        Assert.All(DockerfileEnvironment().Keys, Honoured);
        Assert.Equal("http://+:8080", DockerfileEnvironment()["ASPNETCORE_URLS"]);
    }

    [Fact]
    public void Kubernetes_manifests_use_the_same_settings_verbs_probes_and_ports()
    {
        var config = (YamlMappingNode)Load("deploy/k8s/config.yaml")["data"];
        var configKeys = config.Children.Keys.Select(k => k.ToString()).ToArray();
        Assert.All(configKeys, Honoured);
        Assert.Equal("Postgres", config["Dispatch__Storage__Mode"].ToString());

        var pod = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)Load("deploy/k8s/deployment.yaml")["spec"])["template"])["spec"];
        var init = (YamlMappingNode)((YamlSequenceNode)pod["initContainers"]).Single();
        Assert.Equal(["migrate"], Sequence(init["args"]));
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"]).Single();
        var variables = configKeys.Concat(((YamlSequenceNode)container["env"]).Select(e => ((YamlMappingNode)e)["name"].ToString())).ToHashSet();
        Assert.All(variables, Honoured);
        // Kubernetes hosting supplies the cluster ids and address; everything else the cluster test sets is here.
        var fromHosting = new[] { "Dispatch__Storage__ClusterId", "Dispatch__Storage__ServiceId", "Dispatch__Storage__AdvertisedAddress", "Logging__Console__FormatterName" };
        Assert.All(ClusterTestVariables.Except(fromHosting), v => Assert.Contains(v, variables));
        Assert.Contains(KubernetesHostingOptions.PodNameEnvironmentVariable, variables);

        Assert.Equal("/health/ready", ((YamlMappingNode)((YamlMappingNode)container["readinessProbe"])["httpGet"])["path"].ToString());
        Assert.Equal("/health/live", ((YamlMappingNode)((YamlMappingNode)container["livenessProbe"])["httpGet"])["path"].ToString());
        var ports = ((YamlSequenceNode)container["ports"]).Select(p => ((YamlMappingNode)p)["containerPort"].ToString()).ToArray();
        Assert.Equal(["8080", config["Dispatch__Storage__SiloPort"].ToString(), config["Dispatch__Storage__GatewayPort"].ToString()], ports);
        Assert.Equal("http://+:8080", config["ASPNETCORE_URLS"].ToString());

        var pdb = Load("deploy/k8s/pdb.yaml");
        Assert.Equal("PodDisruptionBudget", pdb["kind"].ToString());
        Assert.Equal("Service", Load("deploy/k8s/service.yaml")["kind"].ToString());
    }

    /// <summary>
    /// Whether the process reads this variable: a property of a bound options class, a key the host reads, or one that
    /// ASP.NET Core, logging, OpenTelemetry or Orleans Kubernetes hosting read.
    /// </summary>
    private static void Honoured(string variable)
    {
        var path = variable.Split("__");
        bool IsProperty(Type options, int depth) =>
            path.Length == depth + 1 && options.GetProperty(path[depth], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is not null;
        var key = string.Join(':', path);
        var honoured = path switch
        {
            ["Dispatch", "Storage", _] => IsProperty(typeof(DispatchStorageOptions), 2),
            ["Dispatch", "Auth", _] => IsProperty(typeof(AuthOptions), 2),
            ["Dispatch", "GraphQL", _] => IsProperty(typeof(GraphQLLimits), 2),
            ["Dispatch", "Cluster", "Membership", _] => key.StartsWith(DispatchHost.MembershipSection + ":", StringComparison.Ordinal) && IsProperty(typeof(ClusterMembershipOptions), 3),
            _ => key is "Dispatch:DataDirectory" or "Dispatch:ShutdownDrainSeconds" or "Dispatch:Demo" or "Dispatch:Kubernetes"
                    or TelemetrySetup.PrometheusKey or DashboardSetup.EnabledKey
                || variable is "ASPNETCORE_URLS" or "Logging__Console__FormatterName" or "OTEL_EXPORTER_OTLP_ENDPOINT" or "OTEL_SERVICE_NAME"
                || typeof(KubernetesHostingOptions).GetFields(BindingFlags.Public | BindingFlags.Static)
                    .Where(f => f.Name.EndsWith("EnvironmentVariable", StringComparison.Ordinal)).Any(f => (string?)f.GetValue(null) == variable),
        };
        Assert.True(honoured, $"{variable} is not a setting the server reads");
    }

    private static YamlMappingNode Load(string relativePath)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepoPaths.Root, relativePath));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    /// <summary>A service's environment after YAML merge keys (<c>&lt;&lt;: *silo</c>) are applied, as compose applies them.</summary>
    private static Dictionary<string, string> Environment(YamlMappingNode service) =>
        Merged(service).TryGetValue("environment", out var node) && node is YamlMappingNode environment
            ? Merged(environment).ToDictionary(e => e.Key, e => e.Value.ToString())
            : [];

    /// <summary>A mapping's entries with its merge key's entries underneath (own keys win).</summary>
    private static Dictionary<string, YamlNode> Merged(YamlMappingNode mapping)
    {
        var entries = mapping.Children.TryGetValue(new YamlScalarNode("<<"), out var merged) && merged is YamlMappingNode parent
            ? Merged(parent)
            : new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Children.Where(c => c.Key.ToString() != "<<"))
            entries[key.ToString()] = value;
        return entries;
    }

    private static string[] Sequence(YamlNode node) => ((YamlSequenceNode)node).Select(n => n.ToString()).ToArray();

    /// <summary>The runtime stage's ENV settings (backslash-continued KEY=VALUE pairs).</summary>
    private static Dictionary<string, string> DockerfileEnvironment()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "Dockerfile")).Replace("\\\n", " ", StringComparison.Ordinal);
        var runtime = text[text.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];
        return runtime.Split('\n').Where(l => l.StartsWith("ENV ", StringComparison.Ordinal))
            .SelectMany(l => l[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
    }
}
