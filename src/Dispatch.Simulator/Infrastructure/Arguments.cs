using System.Globalization;

namespace Dispatch.Simulator.Infrastructure;

/// <summary>"--name value" pairs after the command; small enough not to need a parsing library.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Name, string Value)> _all = [];

    public Arguments(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    Set(pending, "true");
                }

                pending = arg[2..];
            }
            else if (pending is not null)
            {
                Set(pending, arg);
                pending = null;
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{arg}'.");
            }
        }

        if (pending is not null)
        {
            Set(pending, "true");
        }
    }

    private void Set(string name, string value)
    {
        _values[name] = value;
        _all.Add((name, value));
    }

    /// <summary>Every value of an option given several times (e.g. <c>--server-arg</c>).</summary>
    public IEnumerable<string> All(string name) =>
        _all.Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value);

    /// <summary>A comma-separated list.</summary>
    public string[] List(string name, string fallback) =>
        Text(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string? Text(string name) => _values.GetValueOrDefault(name) ?? Environment.GetEnvironmentVariable("DISPATCH_" + name.Replace('-', '_').ToUpperInvariant());

    public string Text(string name, string fallback) => Text(name) ?? fallback;

    public int Int(string name, int fallback) => Text(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => Text(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public TimeSpan Seconds(string name, double fallback) => TimeSpan.FromSeconds(Double(name, fallback));

    public bool Flag(string name) => Text(name) is "true" or "1";
}
