using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Grains.Hosting;
using Dispatch.Grains.Storage;
using Dispatch.Grains.Tenants;
using Dispatch.Server.Demo;
using Dispatch.Server.Hosting;
using Dispatch.Server.Identity;
using Dispatch.Server.Security;

namespace Dispatch.Server.Cli;

/// <summary>
/// The operator verbs. Hand-written because they are a few verbs with a few flags each (System.CommandLine would be a
/// dependency larger than the problem); every argument a verb does not know passes through to configuration, so
/// <c>--urls</c> or <c>--Dispatch:Storage:Mode=Postgres</c> work with any verb.
/// </summary>
public static class CommandLine
{
    private const string Usage = """
        Usage: Dispatch.Server [verb] [options] [configuration overrides]
          (no verb)   run the server (add --demo to load the demo tenant when it is empty)
          token       --user NAME --role ROLE [--role ROLE ...] [--tenant T] [--name "Display Name"] [--hours H]
                      print a JWT signed with this installation's key (roles: Admin, Dispatcher, Technician, Device)
          tenant add ID [--name "Display Name"] | tenant list | tenant remove ID
                      the tenant registry: tokens are accepted only for registered tenants ('default' always is)
          keys rotate replace the embedded signing key: tokens signed with the old one are refused from then on
                      (running servers notice within a second); mint new ones with the token verb
          migrate     apply the database schema (idempotent) and exit
          seed        load the demo tenant (about 50 technicians, 200 work orders) and exit
          schema      print the GraphQL schema (SDL); docs/schema.graphql is this output
          backup      --to FILE   online, consistent copy of the embedded SQLite database (PostgreSQL: use pg_dump)
          copy-data   --to "Host=...;Database=..." [--from data/dispatch.db]
                      copy grain state, reminders and the read model from the embedded database into PostgreSQL
                      (idempotent; stop the embedded server first and start the cluster after)
        Configuration overrides: --urls http://localhost:5080 --Dispatch:DataDirectory=./data --Dispatch:Storage:Mode=Postgres ...
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
        var rest = verb == "serve" ? args : args[1..];
        try
        {
            return verb switch
            {
                "serve" => await ServeAsync(rest),
                "token" => await TokenAsync(rest),
                "tenant" => await TenantAsync(rest),
                "keys" => RotateKeys(rest),
                "migrate" => await MigrateAsync(rest),
                "seed" => await SeedAsync(rest),
                "schema" => PrintSchema(rest),
                "backup" => await BackupAsync(rest),
                "copy-data" => await CopyDataAsync(rest),
                "help" or "--help" or "-h" => PrintUsage(Console.Out, 0),
                _ => PrintUsage(Console.Error, 2, $"Unknown verb '{verb}'."),
            };
        }
        catch (UsageException e)
        {
            return PrintUsage(Console.Error, 2, e.Message);
        }
        catch (IOException e) when (verb is "backup" or "copy-data")
        {
            // A missing source or an existing target: say so plainly, no stack trace.
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    private static async Task<int> ServeAsync(string[] args)
    {
        var (flags, configArgs) = Split(args, booleanFlags: ["--demo"]);
        if (flags.ContainsKey("--demo"))
        {
            configArgs = [.. configArgs, "--Dispatch:Demo=true"];
        }

        var app = DispatchHost.Build(configArgs, b => b.Services.AddHostedService<DemoSeedOnStart>());
        // The silo applies the schema as its first start-up step (see UseDispatchStorage).
        await app.RunAsync();
        return 0;
    }

    private static async Task<int> TokenAsync(string[] args)
    {
        var (flags, configArgs) = Split(args, valueFlags: ["--user", "--role", "--tenant", "--name", "--hours"]);
        var user = Single(flags, "--user") ?? throw new UsageException("token needs --user.");
        var roles = flags.TryGetValue("--role", out var r) ? r : throw new UsageException("token needs at least one --role.");
        var unknown = roles.FirstOrDefault(role => !Roles.IsKnown(role));
        if (unknown is not null)
        {
            throw new UsageException($"Unknown role '{unknown}'. Known roles: {string.Join(", ", Roles.UserRoles)}.");
        }

        var tenant = Single(flags, "--tenant") ?? TenantKey.DefaultTenant;
        if (!TenantKey.IsValidPart(tenant))
        {
            throw new UsageException($"'{tenant}' is not a valid tenant id.");
        }

        TimeSpan? lifetime = null;
        if (Single(flags, "--hours") is { } hours)
        {
            lifetime = double.TryParse(hours, System.Globalization.CultureInfo.InvariantCulture, out var h) && h > 0
                ? TimeSpan.FromHours(h)
                : throw new UsageException("--hours takes a positive number.");
        }

        var configuration = LoadConfiguration(configArgs);
        var settings = DispatchSettings.From(configuration);
        if (!string.IsNullOrWhiteSpace(settings.Auth.Authority))
        {
            throw new UsageException("This installation uses an external identity provider (Dispatch:Auth:Authority); get tokens there.");
        }

        if (!await IsRegisteredAsync(configuration, settings, tenant))
        {
            Console.Error.WriteLine($"Unknown tenant '{tenant}': the server refuses tokens for it. Register it first: tenant add {tenant}");
            return 3;
        }

        var issuer = new TokenIssuer(settings.Auth, SigningKeyStore.Load(settings.Auth, settings.DataDirectory), TimeProvider.System);
        Console.WriteLine(issuer.Mint(user, roles, tenant, Single(flags, "--name"), lifetime));
        return 0;
    }

    private static async Task<bool> IsRegisteredAsync(IConfiguration configuration, DispatchSettings settings, string tenant)
    {
        var options = configuration.GetSection(TenantOptions.SectionName).Get<TenantOptions>() ?? new TenantOptions();
        if (options.Configured().Contains(tenant))
        {
            return true;
        }

        try
        {
            return (await TenantStores.For(settings.Storage).ListAsync()).Any(t => t.Tenant == tenant);
        }
        catch (System.Data.Common.DbException)
        {
            return false; // no database (or no registry table) yet: nothing is registered
        }
    }

    private static async Task<int> TenantAsync(string[] args)
    {
        var action = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : throw new UsageException("tenant needs add, list or remove.");
        var (flags, rest) = Split(args[1..], valueFlags: ["--name"]);
        var id = rest.Length > 0 && !rest[0].StartsWith('-') ? rest[0] : null;
        var configArgs = id is null ? rest : rest[1..];
        var configuration = LoadConfiguration(configArgs);
        var settings = DispatchSettings.From(configuration);
        var options = configuration.GetSection(TenantOptions.SectionName).Get<TenantOptions>() ?? new TenantOptions();
        if (settings.Storage.Mode == StorageMode.Memory)
        {
            throw new UsageException("Memory mode keeps no registry; list tenants under Dispatch:Tenants:Known instead.");
        }

        // The registry table may be new to this database; the scripts are idempotent.
        await SchemaMigrator.ApplyAsync(settings.Storage, logger: null, CancellationToken.None);
        var store = TenantStores.For(settings.Storage);
        switch (action)
        {
            case "add":
                if (id is null || !TenantKey.IsValidPart(id))
                    throw new UsageException($"tenant add needs a tenant id of 1-64 letters, digits, '-', '_' or '.'{(id is null ? "" : $"; '{id}' is not one")}.");
                var added = await store.AddAsync(id, Single(flags, "--name") ?? id, DateTimeOffset.UtcNow);
                Console.WriteLine(added ? $"Registered tenant '{id}'. Mint tokens with: token --tenant {id} --user NAME --role Admin"
                    : $"Tenant '{id}' is already registered; nothing changed.");
                return 0;
            case "remove":
                if (id is null)
                    throw new UsageException("tenant remove needs a tenant id.");
                var removed = await store.RemoveAsync(id);
                Console.WriteLine(removed ? $"Removed tenant '{id}': its tokens are refused within {options.RefreshInterval.TotalSeconds:0} s; its data stays."
                    : options.Configured().Contains(id) ? $"Tenant '{id}' comes from configuration (Dispatch:Tenants); change it there."
                    : $"Tenant '{id}' is not registered; nothing changed.");
                return 0;
            case "list":
                foreach (var configured in options.Configured().Order(StringComparer.Ordinal))
                    Console.WriteLine($"{configured}\t(configuration)");
                foreach (var tenant in await store.ListAsync())
                    Console.WriteLine($"{tenant.Tenant}\t{tenant.Name}\tregistered {tenant.CreatedAt:u}");
                return 0;
            default:
                throw new UsageException($"Unknown tenant action '{action}': use add, list or remove.");
        }
    }

    private static int RotateKeys(string[] args)
    {
        if (args.Length == 0 || args[0] != "rotate")
            throw new UsageException("keys needs 'rotate'.");
        var (_, configArgs) = Split(args[1..]);
        var settings = DispatchSettings.From(LoadConfiguration(configArgs));
        if (!string.IsNullOrWhiteSpace(settings.Auth.Authority))
            throw new UsageException("This installation uses an external identity provider (Dispatch:Auth:Authority); rotate keys there.");
        if (!string.IsNullOrWhiteSpace(settings.Auth.SigningKey))
            throw new UsageException("The signing key comes from configuration (Dispatch:Auth:SigningKey); replace it there and restart.");

        var key = SigningKeyStore.Rotate(settings.Auth, settings.DataDirectory);
        Console.WriteLine($"Rotated the signing key in {SigningKeyStore.KeyPath(settings.Auth, settings.DataDirectory)} (new key id {key.KeyId}). " +
            "Tokens signed with the old key are refused from now on (running servers notice within a second); mint new ones with the token verb.");
        return 0;
    }

    private static async Task<int> MigrateAsync(string[] args)
    {
        var (_, configArgs) = Split(args);
        var settings = DispatchSettings.From(LoadConfiguration(configArgs));
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole());
        await SchemaMigrator.ApplyAsync(settings.Storage, loggerFactory.CreateLogger("migrate"), CancellationToken.None);
        Console.WriteLine($"Schema is up to date ({settings.Storage.Mode}).");
        return 0;
    }

    private static async Task<int> SeedAsync(string[] args)
    {
        var (_, configArgs) = Split(args);
        // Seeding goes through the grains (so every rule and timeline entry applies) on a silo that serves no HTTP.
        var app = DispatchHost.Build([.. configArgs, "--urls", "http://127.0.0.1:0"]);
        await app.StartAsync();
        try
        {
            var result = await DemoData.SeedAsync(app.Services, TenantKey.DefaultTenant, CancellationToken.None);
            Console.WriteLine(result.AlreadySeeded
                ? "The demo tenant is already loaded; nothing changed."
                : $"Loaded {result.Technicians} technicians and {result.WorkOrders} work orders into tenant '{TenantKey.DefaultTenant}'.");
        }
        finally
        {
            await app.StopAsync();
        }

        return 0;
    }

    private static async Task<int> BackupAsync(string[] args)
    {
        var (flags, configArgs) = Split(args, valueFlags: ["--to"]);
        var target = Single(flags, "--to") ?? throw new UsageException("backup needs --to FILE.");
        var settings = DispatchSettings.From(LoadConfiguration(configArgs));
        if (settings.Storage.Mode != Grains.Hosting.StorageMode.Embedded)
        {
            throw new UsageException("backup copies the embedded SQLite database; back up PostgreSQL with pg_dump (docs/operations.md).");
        }

        await DataCopier.BackupSqliteAsync(settings.Storage.SqliteConnectionString, target, CancellationToken.None);
        Console.WriteLine($"Backed up {settings.Storage.SqliteConnectionString.Split(';')[0]} to {Path.GetFullPath(target)}.");
        return 0;
    }

    private static async Task<int> CopyDataAsync(string[] args)
    {
        var (flags, configArgs) = Split(args, valueFlags: ["--from", "--to"]);
        var to = Single(flags, "--to") ?? throw new UsageException("copy-data needs --to with a PostgreSQL connection string.");
        var from = Single(flags, "--from")
            ?? Path.Combine(DispatchSettings.From(LoadConfiguration(configArgs)).DataDirectory, Grains.Hosting.DispatchStorageOptions.SqliteFileName);
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole());
        var result = await DataCopier.CopyAsync(from, to, loggerFactory.CreateLogger("copy-data"), CancellationToken.None);
        Console.WriteLine(string.Join(", ", result.RowsPerTable.Select(t => $"{t.Key}: {t.Value}")));
        return 0;
    }

    private static int PrintSchema(string[] args)
    {
        var (_, configArgs) = Split(args);
        // The schema does not depend on storage; memory mode keeps this verb free of files and databases.
        var app = DispatchHost.Build([.. configArgs, "--Dispatch:Storage:Mode=Memory"]);
        var schema = app.Services.GetRequiredService<global::GraphQL.Types.ISchema>();
        Console.Out.Write(global::GraphQL.SchemaExtensions.Print(schema).ReplaceLineEndings("\n").TrimEnd() + "\n");
        return 0;
    }

    private static IConfiguration LoadConfiguration(string[] configArgs) =>
        new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(configArgs)
            .Build();

    /// <summary>Pulls the verb's own flags out; everything else is configuration.</summary>
    private static (Dictionary<string, List<string>> Flags, string[] ConfigArgs) Split(
        string[] args, string[]? valueFlags = null, string[]? booleanFlags = null)
    {
        var flags = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (booleanFlags?.Contains(arg) == true)
            {
                flags[arg] = [];
            }
            else if (valueFlags?.Contains(arg) == true)
            {
                if (i + 1 >= args.Length)
                {
                    throw new UsageException($"{arg} needs a value.");
                }

                (flags.TryGetValue(arg, out var list) ? list : flags[arg] = []).Add(args[++i]);
            }
            else
            {
                rest.Add(arg);
            }
        }

        return (flags, rest.ToArray());
    }

    private static string? Single(Dictionary<string, List<string>> flags, string name) =>
        flags.TryGetValue(name, out var values) ? values[^1] : null;

    private static int PrintUsage(TextWriter writer, int exitCode, string? error = null)
    {
        if (error is not null)
        {
            writer.WriteLine(error);
        }

        writer.WriteLine(Usage);
        return exitCode;
    }

    private sealed class UsageException(string message) : Exception(message);
}
