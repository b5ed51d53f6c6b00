using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Server.Identity;
using GraphQL;
using GraphQL.Builders;
using GraphQL.Resolvers;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL.Access;

/// <summary>
/// Who may call one root field (query, mutation or subscription). <see cref="Roles"/> may call it at all;
/// <see cref="OwnOnly"/> lists the roles among them that reach only what is theirs (the resolver narrows to the
/// caller's own technician record and the work orders it is on). Tenancy is not a policy: every field reads and writes
/// the caller's tenant only (grain keys are composed from the token's tenant).
/// </summary>
public sealed record AccessPolicy(IReadOnlyList<string> Roles, IReadOnlyList<string> OwnOnly)
{
    public bool Allows(Actor actor) => Roles.Any(actor.IsInRole);
}

/// <summary>
/// The one place where GraphQL access is declared and enforced. Root fields declare their policy with
/// <see cref="Allow{TSource,TReturn}"/>; <see cref="Enforce"/> wraps every root field's resolver (and stream resolver) so
/// the policy is checked before anything runs. A root field without a policy is refused to everyone, so a new field
/// fails closed until someone decides who may use it.
/// </summary>
public static class FieldAccess
{
    public const string MetadataKey = "dispatch:access";

    /// <summary>Dispatchers and admins: the office.</summary>
    public static readonly string[] Office = [Roles.Admin, Roles.Dispatcher];

    public static FieldBuilder<TSource, TReturn> Allow<TSource, TReturn>(this FieldBuilder<TSource, TReturn> field, string[] roles, params string[] ownOnly)
    {
        field.FieldType.Metadata[MetadataKey] = new AccessPolicy([.. roles, .. ownOnly.Except(roles)], ownOnly);
        return field;
    }

    public static AccessPolicy? PolicyOf(FieldType field) =>
        field.Metadata.TryGetValue(MetadataKey, out var value) ? value as AccessPolicy : null;

    /// <summary>True when the actor may only reach its own records through this field (e.g. a technician).</summary>
    public static bool IsOwnOnly(this Actor actor) => !actor.IsInRole(Roles.Admin) && !actor.IsInRole(Roles.Dispatcher);

    /// <summary>Wraps the root type's fields with their policy check. Call once per root type, after all fields exist.</summary>
    public static void Enforce(IComplexGraphType? root)
    {
        if (root is null)
        {
            return;
        }

        foreach (var field in root.Fields)
        {
            var policy = PolicyOf(field);
            if (field.Resolver is { } resolver)
            {
                field.Resolver = new GuardedResolver(resolver, policy, field.Name);
            }

            if (field.StreamResolver is { } stream)
            {
                field.StreamResolver = new GuardedStreamResolver(stream, policy, field.Name);
            }
        }
    }

    /// <summary>Every root field with its policy (null: none declared, so refused), for the docs and the access matrix.</summary>
    public static IEnumerable<(string Operation, string Field, AccessPolicy? Policy)> Describe(ISchema schema)
    {
        foreach (var (operation, root) in new[] { ("query", (IComplexGraphType?)schema.Query), ("mutation", schema.Mutation), ("subscription", schema.Subscription) })
        {
            foreach (var field in root?.Fields ?? [])
            {
                yield return (operation, field.Name, PolicyOf(field));
            }
        }
    }

    private static void Check(IResolveFieldContext context, AccessPolicy? policy, string field)
    {
        var actor = context.Actor();
        if (policy is null)
        {
            throw new DomainException(ErrorCodes.Forbidden, $"'{field}' has no access policy, so nobody may use it.");
        }

        if (!policy.Allows(actor))
        {
            throw new DomainException(ErrorCodes.Forbidden, $"'{field}' is for {string.Join(", ", policy.Roles)}; your roles: {Describe(actor)}.",
                new Dictionary<string, string> { ["field"] = field });
        }
    }

    private static string Describe(Actor actor) => actor.Roles.Count == 0 ? "none" : string.Join(", ", actor.Roles);

    private sealed class GuardedResolver(IFieldResolver inner, AccessPolicy? policy, string field) : IFieldResolver
    {
        public ValueTask<object?> ResolveAsync(IResolveFieldContext context)
        {
            Check(context, policy, field);
            return inner.ResolveAsync(context);
        }
    }

    private sealed class GuardedStreamResolver(ISourceStreamResolver inner, AccessPolicy? policy, string field) : ISourceStreamResolver
    {
        public ValueTask<IObservable<object?>> ResolveAsync(IResolveFieldContext context)
        {
            Check(context, policy, field);
            return inner.ResolveAsync(context);
        }
    }
}
