namespace Memic.Http.Errors;

/// <summary>Every error's body (CONTRACT §11).</summary>
public sealed record ErrorEnvelope(string Detail, string Code, string RequestId);

/// <summary>A 422's body: <c>detail</c> lists every field error at once.</summary>
public sealed record ValidationErrorEnvelope(IReadOnlyList<ValidationErrorItem> Detail, string Code, string RequestId);

/// <summary>One field error: where (<c>["body", "top_k"]</c>), what, and its pydantic-style type (<c>less_than_equal</c>).</summary>
public sealed record ValidationErrorItem(IReadOnlyList<string> Loc, string Msg, string Type);
