using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Dispatch.GraphQL.Transport.Http;

/// <summary>How a response is written, chosen from the request's Accept header.</summary>
internal enum ResponseFormat
{
    /// <summary>Nothing the client accepts can be produced: 406.</summary>
    None,
    /// <summary><c>application/graphql-response+json</c>: status codes tell request errors apart.</summary>
    GraphQLResponseJson,
    /// <summary><c>application/json</c>, the legacy format: well-formed requests always get 200.</summary>
    Json,
    /// <summary><c>text/event-stream</c>: graphql-sse, distinct connections mode.</summary>
    EventStream,
}

internal static class MediaTypes
{
    public const string GraphQLResponseJson = "application/graphql-response+json";
    public const string Json = "application/json";
    public const string EventStream = "text/event-stream";

    /// <summary>
    /// Picks the format with the highest quality the client gives it. On a tie a type the client named explicitly
    /// beats one reached through a wildcard, and among explicit ones event-stream (a client that names it wants
    /// streaming) comes before graphql-response+json before json. A missing Accept header, or one matched only by
    /// <c>*/*</c> or <c>application/*</c>, means application/json, as the GraphQL-over-HTTP spec asks.
    /// </summary>
    public static ResponseFormat Negotiate(StringValues acceptHeader)
    {
        if (StringValues.IsNullOrEmpty(acceptHeader))
            return ResponseFormat.Json;
        if (!MediaTypeHeaderValue.TryParseList(acceptHeader, out var accepted) || accepted.Count == 0)
            return ResponseFormat.Json;

        var best = ResponseFormat.None;
        (double Quality, bool Specific, int Preference) bestRank = default;
        foreach (var (format, type, preference) in Candidates)
        {
            var (quality, specific) = Match(accepted, type);
            if (quality <= 0)
                continue;
            // event-stream only when asked for by name: `*/*` must not turn a plain request into a stream
            if (format == ResponseFormat.EventStream && !specific)
                continue;
            // among wildcard matches application/json wins
            var rank = (quality, specific, specific ? preference : format == ResponseFormat.Json ? 1 : 0);
            if (best == ResponseFormat.None || rank.CompareTo(bestRank) > 0)
            {
                best = format;
                bestRank = rank;
            }
        }
        return best;
    }

    private static readonly (ResponseFormat Format, string Type, int Preference)[] Candidates =
    [
        (ResponseFormat.EventStream, EventStream, 3),
        (ResponseFormat.GraphQLResponseJson, GraphQLResponseJson, 2),
        (ResponseFormat.Json, Json, 1),
    ];

    // Quality of the most specific Accept entry matching the media type (RFC 9110 §12.5.1).
    private static (double Quality, bool Specific) Match(IList<MediaTypeHeaderValue> accepted, string mediaType)
    {
        var slash = mediaType.IndexOf('/');
        var type = mediaType.AsSpan(0, slash);
        var subtype = mediaType.AsSpan(slash + 1);
        var bestSpecificity = -1;
        double quality = 0;
        foreach (var range in accepted)
        {
            int specificity;
            if (range.MatchesAllTypes)
                specificity = 0;
            else if (!range.Type.AsSpan().Equals(type, StringComparison.OrdinalIgnoreCase))
                continue;
            else if (range.MatchesAllSubTypes)
                specificity = 1;
            else if (range.SubType.AsSpan().Equals(subtype, StringComparison.OrdinalIgnoreCase))
                specificity = 2;
            else
                continue;
            if (specificity > bestSpecificity)
            {
                bestSpecificity = specificity;
                quality = range.Quality ?? 1.0;
            }
        }
        return (quality, bestSpecificity == 2);
    }

    public static string ContentTypeOf(ResponseFormat format) => format switch
    {
        ResponseFormat.GraphQLResponseJson => GraphQLResponseJson + "; charset=utf-8",
        ResponseFormat.EventStream => EventStream + "; charset=utf-8",
        _ => Json + "; charset=utf-8",
    };

    /// <summary>True for <c>application/json</c> with no charset or a utf-8 one.</summary>
    public static bool IsJsonRequest(string? contentType)
    {
        if (contentType == null || !MediaTypeHeaderValue.TryParse(contentType, out var parsed))
            return false;
        if (!parsed.MediaType.Equals(Json, StringComparison.OrdinalIgnoreCase))
            return false;
        var charset = parsed.Charset;
        return !charset.HasValue || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A content type a browser may send cross-site without a CORS preflight: none, or one of the three
    /// "CORS-safelisted" request content types (Fetch standard).
    /// </summary>
    public static bool IsCorsSafelisted(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
            return true;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed))
            return true; // browsers send unparsable values as they are; treat them as the worst case
        var mediaType = parsed.MediaType;
        return mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
    }
}
