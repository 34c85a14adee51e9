using Memic.Core.Errors;
using Memic.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memic.Functions.Tests;

/// <summary>What escapes a function becomes the error envelope with a request id, never a stack trace.</summary>
public sealed class HttpErrorMiddlewareTests(FunctionsTestHost host) : IClassFixture<FunctionsTestHost>
{
    private readonly HttpErrorMiddleware _middleware = new(NullLogger<HttpErrorMiddleware>.Instance);

    [Fact]
    public async Task An_exception_escaping_a_function_is_a_500_envelope_with_the_request_id_and_no_stack_trace()
    {
        var http = host.Request("GET", "/api/v1/me");
        var context = new FakeFunctionContext(http);

        await _middleware.Invoke(context, _ => throw new InvalidOperationException("secret internals at Memic.Functions.Somewhere()"));

        var reply = Reply.Read(http);
        Assert.Equal(500, reply.Status);
        Assert.Equal("internal_error", reply.Body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(reply.RequestId));
        Assert.Equal(reply.RequestId, reply.Body.GetProperty("request_id").GetString());
        var text = reply.Body.GetRawText();
        Assert.DoesNotContain("secret internals", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_memic_error_escaping_a_function_keeps_its_status_and_code()
    {
        var http = host.Request("GET", "/api/v1/files/x");

        await _middleware.Invoke(new FakeFunctionContext(http), _ => throw new NotFoundException(ErrorCodes.FileNotFound, "File 'x' was not found."));

        var reply = Reply.Read(http);
        Assert.Equal(404, reply.Status);
        Assert.Equal("file_not_found", reply.Body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Every_http_response_carries_the_callers_request_id_when_it_is_sane()
    {
        var http = host.Request("GET", "/health");
        http.Request.Headers["X-Request-Id"] = "trace-42.abc";

        await _middleware.Invoke(new FakeFunctionContext(http), _ => Task.CompletedTask);

        Assert.Equal("trace-42.abc", http.Response.Headers["X-Request-Id"].ToString());
    }

    [Fact]
    public async Task Other_triggers_pass_through_and_their_failures_reach_the_host_for_its_retries()
    {
        var context = new FakeFunctionContext(http: null);

        var error = await Assert.ThrowsAsync<TransientException>(() => _middleware.Invoke(context, _ => throw new TransientException("storage is down")));

        Assert.Equal("storage is down", error.Message);
    }

    /// <summary>
    /// An invocation as the worker builds it: the ASP.NET Core integration puts the request's HttpContext in the
    /// context's items under "HttpRequestContext", which is what <c>GetHttpContext()</c> reads.
    /// </summary>
    private sealed class FakeFunctionContext : FunctionContext
    {
        public FakeFunctionContext(HttpContext? http)
        {
            if (http is not null)
            {
                Items["HttpRequestContext"] = http;
            }
        }

        public override string InvocationId => "invocation-1";

        public override string FunctionId => "function-1";

        public override TraceContext TraceContext => throw new NotSupportedException();

        public override BindingContext BindingContext => throw new NotSupportedException();

        public override RetryContext RetryContext => throw new NotSupportedException();

        public override IServiceProvider InstanceServices { get; set; } = new ServiceCollection().BuildServiceProvider();

        public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();

        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

        public override IInvocationFeatures Features => throw new NotSupportedException();
    }
}
