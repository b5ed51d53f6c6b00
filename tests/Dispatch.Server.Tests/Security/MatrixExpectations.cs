namespace Dispatch.Server.Tests.Security;

/// <summary>What a cell of the matrix must answer.</summary>
public enum Outcome
{
    /// <summary>Succeeds: data, no error (and a mutation visibly changes the target).</summary>
    Allowed,
    /// <summary>Refused for the role: extensions.code FORBIDDEN or UNAUTHENTICATED (HTTP 401/403); nothing changes.</summary>
    Denied,
    /// <summary>Refused for lack of identity: UNAUTHENTICATED (HTTP 401, a WebSocket closed 4403); nothing changes.</summary>
    Unauthenticated,
    /// <summary>
    /// Another tenant names this tenant's id. Ids are read inside the caller's own tenant, so the answer is what an
    /// unknown id gets: NOT_FOUND (FORBIDDEN is accepted too) or null, never the owner's data; nothing changes in the
    /// owner's tenant.
    /// </summary>
    Hidden,
    /// <summary>
    /// Lists, feeds and creates that are legitimate for the caller but must stay inside what it may see: success whose
    /// body carries nothing outside the caller's reach (or a FORBIDDEN refusal); nothing changes outside its reach.
    /// </summary>
    Scoped,
}

/// <summary>
/// The expected outcome of every GraphQL field for every principal, written from the rules of issue #6 and the product
/// docs, not from the implementation:
/// <list type="bullet">
/// <item>Admin: everything in its tenant, including settings, users and devices.</item>
/// <item>Dispatcher: work orders, dispatch, technicians and their schedules in its tenant. Not devices: the issue lists
/// devices with settings and users as the admin's, and no step of the dispatching guide touches a device.</item>
/// <item>Technician (the Field role): reads its own assignments and the work orders it is on, changes status and notes on
/// those only, reads its own notifications, posts its own location. Nothing else — in particular no fleet positions (not
/// even its own trail: the rules grant posting, not reading) and no calendar edits (PTO goes through the office:
/// "Update technician schedules for PTO" is a lead's morning checklist item in the playbook).</item>
/// <item>Device: posts fixes for its bound technician only; a device key or a Device-role token is no GraphQL session.</item>
/// <item>Nothing crosses tenants; anonymous, unknown-role and unknown-tenant tokens are refused everywhere.</item>
/// </list>
/// The columns every GraphQL row shares are <see cref="Fixed"/>; each row states Admin, Dispatcher, Technician and the
/// other tenant's admin.
/// </summary>
public static class MatrixExpectations
{
    private const Outcome A = Outcome.Allowed, D = Outcome.Denied, H = Outcome.Hidden, S = Outcome.Scoped;

    /// <summary>Row name (field@variant) → Admin, Dispatcher, Technician, other tenant.</summary>
    public static readonly IReadOnlyDictionary<string, (Outcome Admin, Outcome Dispatcher, Outcome Technician, Outcome OtherTenant)> GraphQL =
        new Dictionary<string, (Outcome, Outcome, Outcome, Outcome)>
        {
            //                                          Admin Disp Tech  Other tenant
            // ---- queries ----
            ["workOrder@own"] =                          (A, A, A, H), // a work order the technician is on
            ["workOrder@other"] =                        (A, A, D, H), // another technician's work order
            ["technician@own"] =                         (A, A, A, H), // its own record carries its assignments
            ["technician@other"] =                       (A, A, D, H),
            ["technicianPositions"] =                    (A, A, D, S), // the dispatch map ("Current Location" in the picker)
            ["technicianPosition"] =                     (A, A, D, H), // even its own: reading positions is not in the grant
            ["technicianTrail"] =                        (A, A, D, H),
            ["device"] =                                 (A, D, D, H), // devices are the admin's
            ["workOrders"] =                             (A, A, S, S), // a technician may get its own list, never others'
            ["technicians"] =                            (A, A, S, S),
            ["suggestTechnicians"] =                     (A, A, D, H), // "Suggest Best Match" is a dispatch-form button
            ["technicianPicker"] =                       (A, A, D, H),
            ["schedule@own"] =                           (A, A, A, S), // its own calendar = its own assignments
            ["schedule@other"] =                         (A, A, S, S),
            // ---- mutations ----
            ["createWorkOrder"] =                        (A, A, D, S), // B's admin creates in B, never in A
            ["updateWorkOrderStatus@own"] =              (A, A, A, H),
            ["updateWorkOrderStatus@other"] =            (A, A, D, H),
            ["addWorkOrderNote@own"] =                   (A, A, A, H),
            ["addWorkOrderNote@other"] =                 (A, A, D, H),
            ["createTechnician"] =                       (A, A, D, S), // technicians are the dispatcher's (issue), so is the Field flag
            ["registerDevice"] =                         (A, D, D, H),
            ["revokeDevice"] =                           (A, D, D, H),
            // The mobile app's "my own location": an office user has no own position; writing a technician's position
            // from a desk would forge the trail the office relies on, so Admin and Dispatcher are refused as well.
            ["reportLocation@own"] =                     (D, D, A, H),
            ["reportLocation@other"] =                   (D, D, D, H),
            ["dispatchWorkOrder"] =                      (A, A, D, H),
            ["dispatchWorkOrders"] =                     (A, A, D, H),
            ["reassignWorkOrder"] =                      (A, A, D, H),
            ["unassignWorkOrder"] =                      (A, A, D, H),
            ["setTechnicianWorkingHours"] =              (A, A, D, H), // target: the technician's own record
            ["setTechnicianCapacity"] =                  (A, A, D, H),
            ["addAvailabilityBlock"] =                   (A, A, D, H),
            ["removeAvailabilityBlock"] =                (A, A, D, H),
            ["setTechnicianActive"] =                    (A, A, D, H),
            ["updateTechnician"] =                       (A, A, D, H),
            // ---- subscriptions (each over WebSocket and SSE) ----
            ["technicianLocations@box"] =                (A, A, D, S), // B watching the same map area sees only B
            ["technicianLocations@ids"] =                (A, A, D, S), // B watching A's technician id sees only B's twin
            ["workOrderUpdated@own"] =                   (A, A, A, S), // B watching A's order id sees only B's twin order
            ["workOrderUpdated@other"] =                 (A, A, D, H),
            ["boardUpdated"] =                           (A, A, D, S), // B's board never carries A's events
            ["technicianNotifications@own"] =            (A, A, A, S),
            ["technicianNotifications@other"] =          (A, A, D, H),
            ["technicianNotifications@all"] =            (A, A, D, S), // the office may watch all; a technician may not
        };

    /// <summary>The columns every GraphQL row shares.</summary>
    public static Outcome Fixed(Principal principal) => principal switch
    {
        // A device key is not a bearer token: on /graphql the caller is nobody.
        Principal.Device => Outcome.Unauthenticated,
        Principal.Anonymous => Outcome.Unauthenticated,
        Principal.DeviceToken or Principal.UnknownRole or Principal.UnknownTenant => Outcome.Denied,
        _ => throw new ArgumentOutOfRangeException(nameof(principal), principal, "stated per row"),
    };

    public static Outcome ForGraphQL(string row, Principal principal)
    {
        var (admin, dispatcher, technician, other) = GraphQL[row];
        return principal switch
        {
            Principal.Admin => admin,
            Principal.Dispatcher => dispatcher,
            Principal.Technician => technician,
            Principal.OtherTenant => other,
            _ => Fixed(principal),
        };
    }

    /// <summary>
    /// Plain HTTP endpoints. Device endpoints take device keys only: a user's bearer token there is no credential (401).
    /// For them "OtherTenant" is tenant B's own device key: accepted, and it moves B's technician only.
    /// /api/v1/cluster and /api/v1/tracking/stats are operator views holding no tenant's data (silo addresses,
    /// counters), so any registered tenant's admin may read them.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<Principal, Outcome>> Http =
        new Dictionary<string, IReadOnlyDictionary<Principal, Outcome>>
        {
            // A refused token (unknown role or tenant) may be turned away as such (403) before the missing device key (401).
            ["POST /api/v1/locations"] = Row(admin: Outcome.Unauthenticated, dispatcher: Outcome.Unauthenticated, technician: Outcome.Unauthenticated,
                device: A, deviceToken: Outcome.Unauthenticated, other: S, unknownRole: D, unknownTenant: D),
            ["GET /api/v1/me"] = Row(admin: A, dispatcher: A, technician: A, device: Outcome.Unauthenticated, deviceToken: A, other: A,
                unknownRole: D, unknownTenant: D),
            ["GET /api/v1/cluster"] = Row(admin: A, dispatcher: D, technician: D, device: Outcome.Unauthenticated, deviceToken: D, other: A,
                unknownRole: D, unknownTenant: D),
            ["GET /api/v1/tracking/stats"] = Row(admin: A, dispatcher: D, technician: D, device: Outcome.Unauthenticated, deviceToken: D, other: A,
                unknownRole: D, unknownTenant: D),
            // Who may call what is the same in every tenant: not tenant data, so any registered tenant's admin may read it.
            ["GET /api/v1/access-policy"] = Row(admin: A, dispatcher: D, technician: D, device: Outcome.Unauthenticated, deviceToken: D, other: A,
                unknownRole: D, unknownTenant: D),
            // Probes send no credentials; a request that does present a refused token is refused like everywhere else
            // ("unknown tenant or role is refused", with no exception for anonymous endpoints).
            ["GET /health/live"] = Row(A, A, A, A, A, A, unknownRole: D, unknownTenant: D, anonymous: A),
            ["GET /health/ready"] = Row(A, A, A, A, A, A, unknownRole: D, unknownTenant: D, anonymous: A),
        };

    /// <summary>
    /// The SignalR hub. Devices connect with their key and only send fixes; dashboards (Admin, Dispatcher) watch. A refused
    /// token cannot even connect, which is what the Unwatch row (a no-op for anyone connected) proves.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<Principal, Outcome>> Hub =
        new Dictionary<string, IReadOnlyDictionary<Principal, Outcome>>
        {
            ["SendFixes"] = Row(admin: D, dispatcher: D, technician: D, device: A, deviceToken: D, other: D, unknownRole: D, unknownTenant: D),
            ["WatchTechnicians"] = Row(admin: A, dispatcher: A, technician: D, device: D, deviceToken: D, other: S, unknownRole: D, unknownTenant: D),
            ["WatchBoundingBox"] = Row(admin: A, dispatcher: A, technician: D, device: D, deviceToken: D, other: S, unknownRole: D, unknownTenant: D),
            ["Unwatch"] = Row(admin: A, dispatcher: A, technician: A, device: A, deviceToken: A, other: A, unknownRole: D, unknownTenant: D),
        };

    private static Dictionary<Principal, Outcome> Row(Outcome admin, Outcome dispatcher, Outcome technician, Outcome device, Outcome deviceToken,
        Outcome other, Outcome unknownRole, Outcome unknownTenant, Outcome anonymous = Outcome.Unauthenticated) => new()
    {
        [Principal.Admin] = admin,
        [Principal.Dispatcher] = dispatcher,
        [Principal.Technician] = technician,
        [Principal.Device] = device,
        [Principal.DeviceToken] = deviceToken,
        [Principal.Anonymous] = anonymous,
        [Principal.OtherTenant] = other,
        [Principal.UnknownRole] = unknownRole,
        [Principal.UnknownTenant] = unknownTenant,
    };
}
