using Microsoft.AspNetCore.Http;

namespace Memic.Http.Endpoints;

/// <summary>Typed JSON results in the wire's JSON options.</summary>
internal static class Respond
{
    public static IResult Ok<T>(T body) => Results.Json(body, MemicJson.Options, statusCode: StatusCodes.Status200OK);

    public static IResult Created<T>(T body) => Results.Json(body, MemicJson.Options, statusCode: StatusCodes.Status201Created);

    public static IResult Accepted<T>(T body) => Results.Json(body, MemicJson.Options, statusCode: StatusCodes.Status202Accepted);

    public static IResult NoContent() => Results.NoContent();
}
