using GraphQL.Validation;
using GraphQLParser.AST;

namespace Dispatch.Server.GraphQL;

/// <summary>
/// Refuses documents with more than a set number of aliased fields: aliases let one request ask for the same expensive
/// field many times over (<c>a1: suggestTechnicians(…) a2: suggestTechnicians(…) …</c>), which depth limits do not see.
/// Counted over the whole document, fragments included, before anything runs.
/// </summary>
public sealed class AliasLimitRule(int maxAliases) : ValidationRuleBase
{
    public const string Code = "TOO_MANY_ALIASES";

    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context)
    {
        var count = 0;
        return new(new MatchingNodeVisitor<GraphQLField>((field, validation) =>
        {
            if (field.Alias is not null && ++count == maxAliases + 1)
            {
                validation.ReportError(new ValidationError($"The document uses more than {maxAliases} aliases.") { Code = Code });
            }
        }));
    }
}
