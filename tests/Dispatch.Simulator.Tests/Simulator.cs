using System.Text.Json;
using Dispatch.Simulator;

namespace Dispatch.Simulator.Tests;

/// <summary>Runs the simulator's command line in this process (its local servers are real child processes) and parses the JSON it prints.</summary>
internal static class Simulator
{
    public static async Task<JsonElement> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        var exit = await SimulatorCli.RunAsync(args, output);
        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(output.ToString()).RootElement.Clone();
        Assert.True(root.GetProperty("machine").GetProperty("cores").GetInt32() > 0);
        Assert.True(root.TryGetProperty("at", out _));
        return root.GetProperty("result");
    }

    /// <summary>Every scenario reports its targets as {target, value, met} and counts its errors; a tiny run has none.</summary>
    public static void AssertScenarioShape(JsonElement result, string scenario, int checks)
    {
        Assert.Equal(scenario, result.GetProperty("scenario").GetString());
        Assert.Equal(0, result.GetProperty("errors").GetInt64());
        var list = result.GetProperty("checks").EnumerateArray().Where(c => c.ValueKind != JsonValueKind.Null).ToArray();
        Assert.Equal(checks, list.Length);
        foreach (var check in list)
        {
            Assert.False(string.IsNullOrEmpty(check.GetProperty("target").GetString()));
            Assert.Equal(JsonValueKind.Number, check.GetProperty("value").ValueKind);
            Assert.True(check.GetProperty("met").ValueKind is JsonValueKind.True or JsonValueKind.False);
        }

        var conditions = result.GetProperty("conditions");
        Assert.True(conditions.GetProperty("server").GetProperty("local").GetBoolean());
        Assert.True(conditions.GetProperty("server").GetProperty("memory").GetProperty("rssMiB").GetDouble() > 10);
    }

    public static double Number(this JsonElement element, string path)
    {
        foreach (var part in path.Split('.'))
            element = element.GetProperty(part);
        return element.GetDouble();
    }
}
