using System.ComponentModel.DataAnnotations;
using Memic.Core.Errors;

namespace Memic.Http.Requests;

/// <summary>
/// A cross-field rule's finding (from a request record's <see cref="IValidatableObject.Validate"/>), carrying the
/// contract's location and error type so it joins the attribute rules' errors in one 422.
/// </summary>
public sealed class FieldValidationResult(IReadOnlyList<string> location, string message, string type)
    : ValidationResult(message, [string.Join('.', location)])
{
    public FieldError Error { get; } = new(location, message, type);
}
