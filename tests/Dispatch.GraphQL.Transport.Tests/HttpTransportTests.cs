using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dispatch.GraphQL.Transport.Tests.Support;

namespace Dispatch.GraphQL.Transport.Tests;

/// <summary>GraphQL-over-HTTP status and media-type rules, each checked with a real HttpClient on Kestrel.</summary>
public sealed class HttpTransportTests(TestServer server)
{
    private const string GraphQLResponseJson = "application/graphql-response+json";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> PostAsync(string body, string? contentType = "application/json", string? accept = null,
        Uri? uri = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri ?? server.GraphQL)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        if (contentType != null)
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (accept != null)
            request.Headers.TryAddWithoutValidation("Accept", accept);
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return await server.Http.SendAsync(request, Ct);
    }

    private Task<HttpResponseMessage> PostQueryAsync(string query, string? accept = null) =>
        PostAsync(JsonSerializer.Serialize(new { query }), accept: accept);

    private async Task<HttpResponseMessage> GetAsync(string queryString, string? accept = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.GraphQL + "?" + queryString));
        if (accept != null)
            request.Headers.TryAddWithoutValidation("Accept", accept);
        return await server.Http.SendAsync(request, Ct);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

    private static string Q(string value) => Uri.EscapeDataString(value);

    [Fact]
    public async Task Post_without_accept_answers_application_json()
    {
        using var response = await PostQueryAsync("{ hello }");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal("world", (await JsonAsync(response)).GetProperty("data").GetProperty("hello").GetString());
    }

    [Fact]
    public async Task Accept_graphql_response_json_is_honoured()
    {
        using var response = await PostQueryAsync("{ hello }", GraphQLResponseJson);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GraphQLResponseJson, response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("*/*", "application/json")]
    [InlineData("application/*", "application/json")]
    [InlineData("application/json, multipart/mixed", "application/json")]
    [InlineData("application/graphql-response+json, application/json;q=0.9", GraphQLResponseJson)]
    [InlineData("application/json, application/graphql-response+json;q=0.5", "application/json")]
    public async Task Accept_negotiation_picks_the_preferred_type(string accept, string expected)
    {
        using var response = await PostQueryAsync("{ hello }", accept);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml, text/*;q=0.5")]
    [InlineData("application/json;q=0")]
    public async Task Unacceptable_accept_gets_406(string accept)
    {
        using var response = await PostQueryAsync("{ hello }", accept);
        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task Other_methods_get_405_with_allow(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), server.GraphQL)
        {
            Content = new StringContent("{\"query\":\"{ hello }\"}", Encoding.UTF8, "application/json"),
        };
        using var response = await server.Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "POST"], response.Content.Headers.Allow.Order());
    }

    [Fact]
    public async Task Get_runs_queries_with_variables_in_the_url()
    {
        using var response = await GetAsync(
            $"query={Q("query Q($n: String!) { __type(name: $n) { name } hello }")}&operationName=Q&variables={Q("{\"n\":\"Query\"}")}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = (await JsonAsync(response)).GetProperty("data");
        Assert.Equal("Query", data.GetProperty("__type").GetProperty("name").GetString());
        Assert.Equal("world", data.GetProperty("hello").GetString());
    }

    [Theory]
    [InlineData("mutation { bump }", null)]
    [InlineData("query Q { hello } mutation M { bump }", "M")]
    public async Task Get_never_runs_a_mutation(string query, string? operationName)
    {
        var before = server.Counter.Value;
        var url = $"query={Q(query)}" + (operationName == null ? "" : $"&operationName={operationName}");
        using var response = await GetAsync(url, GraphQLResponseJson);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        Assert.Equal(before, server.Counter.Value);
    }

    [Fact]
    public async Task Get_may_select_the_query_of_a_document_that_also_has_a_mutation()
    {
        using var response = await GetAsync($"query={Q("query Q { hello } mutation M { bump }")}&operationName=Q");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("variables", "not json")]
    [InlineData("variables", "[1]")]
    [InlineData("extensions", "3")]
    public async Task Get_with_malformed_json_parameters_gets_400(string name, string value)
    {
        using var response = await GetAsync($"query={Q("{ hello }")}&{name}={Q(value)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Post_runs_mutations()
    {
        var before = server.Counter.Value;
        using var response = await PostQueryAsync("mutation { bump }");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("data").GetProperty("bump").GetInt32() > before);
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("application/json; charset=latin1")]
    [InlineData("application/graphql")]
    public async Task Post_with_a_non_json_content_type_gets_415(string contentType)
    {
        using var response = await PostAsync("{\"query\":\"{ hello }\"}", contentType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain;charset=UTF-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData(null)]
    public async Task Csrf_guard_refuses_posts_a_browser_sends_without_preflight(string? contentType)
    {
        var before = server.Counter.Value;
        using var response = await PostAsync("{\"query\":\"mutation { bump }\"}", contentType);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("CSRF_PREVENTED", (await JsonAsync(response)).GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal(before, server.Counter.Value);
    }

    [Fact]
    public async Task Csrf_guard_lets_a_preflight_header_through_to_the_content_type_check()
    {
        using var response = await PostAsync("{\"query\":\"{ hello }\"}", "text/plain", headers: ("GraphQL-Require-Preflight", "1"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Without_the_csrf_guard_simple_content_types_get_415()
    {
        using var response = await PostAsync("{\"query\":\"{ hello }\"}", "text/plain", uri: server.Open);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{ \"not a JSON")]
    [InlineData("[{\"query\":\"{ hello }\"}]")]
    [InlineData("null")]
    [InlineData("\"{ hello }\"")]
    [InlineData("{\"notquery\":\"{ hello }\"}")]
    [InlineData("{\"query\":null}")]
    public async Task Malformed_bodies_get_400(string body)
    {
        using var response = await PostAsync(body, accept: GraphQLResponseJson);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("query", "{\"obj\":\"ect\"}")]
    [InlineData("query", "0")]
    [InlineData("query", "false")]
    [InlineData("query", "[\"array\"]")]
    [InlineData("operationName", "{\"obj\":\"ect\"}")]
    [InlineData("operationName", "0")]
    [InlineData("operationName", "false")]
    [InlineData("operationName", "[\"array\"]")]
    [InlineData("variables", "\"string\"")]
    [InlineData("variables", "0")]
    [InlineData("variables", "false")]
    [InlineData("variables", "[\"array\"]")]
    [InlineData("extensions", "\"string\"")]
    [InlineData("extensions", "0")]
    [InlineData("extensions", "false")]
    [InlineData("extensions", "[\"array\"]")]
    public async Task Parameters_of_the_wrong_type_get_400(string parameter, string json)
    {
        var body = parameter == "query"
            ? $"{{\"query\":{json}}}"
            : $"{{\"query\":\"{{ hello }}\",\"{parameter}\":{json}}}";
        using var response = await PostAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("operationName")]
    [InlineData("variables")]
    [InlineData("extensions")]
    public async Task Json_null_parameters_count_as_absent(string parameter)
    {
        using var response = await PostAsync($"{{\"query\":\"{{ hello }}\",\"{parameter}\":null}}", accept: GraphQLResponseJson);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await JsonAsync(response)).TryGetProperty("errors", out _));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{ noSuchField }")]
    public async Task Unexecuted_documents_get_400_without_data_for_graphql_response_json(string query)
    {
        using var response = await PostQueryAsync(query, GraphQLResponseJson);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(GraphQLResponseJson, response.Content.Headers.ContentType?.MediaType);
        var json = await JsonAsync(response);
        Assert.False(json.TryGetProperty("data", out _));
        Assert.True(json.GetProperty("errors").GetArrayLength() > 0);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{ noSuchField }")]
    public async Task Unexecuted_documents_get_200_for_application_json(string query)
    {
        using var response = await PostQueryAsync(query, "application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("errors").GetArrayLength() > 0);
    }

    [Theory]
    [InlineData(GraphQLResponseJson, HttpStatusCode.BadRequest)]
    [InlineData("application/json", HttpStatusCode.OK)]
    public async Task Variable_coercion_failure_follows_the_media_type(string accept, HttpStatusCode expected)
    {
        using var response = await PostAsync(
            "{\"query\":\"query CoerceFailure($id: ID!){ __typename }\",\"variables\":{\"id\":null}}", accept: accept);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Body_over_the_limit_gets_413()
    {
        var body = JsonSerializer.Serialize(new { query = "{ hello }", extensions = new { pad = new string('x', TestServer.MaxBodyBytes) } });
        using var response = await PostAsync(body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_gets_413()
    {
        var body = JsonSerializer.Serialize(new { query = "{ hello }", extensions = new { pad = new string('x', TestServer.MaxBodyBytes) } });
        using var request = new HttpRequestMessage(HttpMethod.Post, server.GraphQL)
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        using var response = await server.Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Query_over_the_length_limit_gets_400()
    {
        using var response = await PostQueryAsync("{ hello " + new string(' ', TestServer.MaxQueryLength) + "}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("QUERY_TOO_LONG", (await JsonAsync(response)).GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Subscriptions_over_plain_http_are_refused()
    {
        using var response = await PostQueryAsync("subscription { ticks(count: 1) }");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Operation_timeout_answers_504_with_a_timeout_error()
    {
        using var response = await PostAsync("{\"query\":\"{ slow(ms: 10000) }\"}", uri: server.Open);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("TIMEOUT", (await JsonAsync(response)).GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
    }

    [Fact]
    public async Task User_context_hook_runs_per_request()
    {
        using var response = await PostQueryAsync("{ whoami me }");
        var data = (await JsonAsync(response)).GetProperty("data");
        Assert.Equal("anonymous", data.GetProperty("whoami").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("me").ValueKind);
    }
}
