namespace Dispatch.Domain.Common;

/// <summary>
/// A refused command. The code is stable and travels to API clients (GraphQL <c>extensions.code</c>, HTTP problem
/// type); the message is for people. Thrown before any state changes, so a refusal never leaves a half-applied change.
/// </summary>
[GenerateSerializer, Alias("Dispatch.DomainException")]
public sealed class DomainException : Exception
{
    public DomainException(string code, string message, IReadOnlyDictionary<string, string>? details = null)
        : base(message)
    {
        Code = code;
        Details = details ?? new Dictionary<string, string>();
    }

    [Id(0)] public string Code { get; }

    /// <summary>Machine-readable facts about the refusal (the current status, the offending field, ...).</summary>
    [Id(1)] public IReadOnlyDictionary<string, string> Details { get; }

    public static DomainException NotFound(string what, string id) =>
        new(ErrorCodes.NotFound, $"{what} '{id}' was not found.", new Dictionary<string, string> { ["id"] = id });

    public static DomainException Validation(string field, string message) =>
        new(ErrorCodes.Validation, message, new Dictionary<string, string> { ["field"] = field });
}

/// <summary>The error codes clients may rely on. Keep in step with docs/api.md.</summary>
public static class ErrorCodes
{
    public const string NotFound = "NOT_FOUND";
    public const string Validation = "VALIDATION";
    public const string InvalidTransition = "INVALID_TRANSITION";
    public const string ScheduleConflict = "SCHEDULE_CONFLICT";
    public const string Forbidden = "FORBIDDEN";
    public const string AlreadyExists = "ALREADY_EXISTS";
    public const string AlreadyDispatched = "ALREADY_DISPATCHED";
    public const string WorkOrderClosed = "WORK_ORDER_CLOSED";
    public const string TechnicianInactive = "TECHNICIAN_INACTIVE";
    public const string NotFieldTechnician = "NOT_FIELD_TECHNICIAN";
    public const string AtCapacity = "AT_CAPACITY";
}
