namespace Memic.Http.Requests;

/// <summary>The field is required when the named (wire-name) field is absent: chat's <c>question</c> without <c>messages</c>.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class RequiredWithoutAttribute(string field) : Attribute
{
    public string Field { get; } = field;
}
