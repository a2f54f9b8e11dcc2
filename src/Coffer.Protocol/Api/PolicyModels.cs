using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Coffer.Protocol.Api;

/// <summary>A policy as sync <c>policies[]</c> and <c>GET /api/organizations/{orgId}/policies</c> return it (doc §1.6).</summary>
public sealed record PolicyResponseModel
{
    public Guid Id { get; init; }
    public Guid OrganizationId { get; init; }
    public int Type { get; init; }
    public JsonObject? Data { get; init; }
    public bool Enabled { get; init; }
    public DateTime RevisionDate { get; init; }

    /// <summary>Only on <c>GET …/policies/{type}</c> (upstream <c>PolicyDetailResponseModel</c>): the web vault disables the switch when false.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? CanToggleState { get; init; }

    public string Object { get; init; } = "policy";
}

/// <summary>
/// <c>PUT /api/organizations/{orgId}/policies/{type}</c> (doc §1.6): <c>{"enabled","data"}</c>; the web vault's
/// <c>…/vnext</c> route wraps the same in <c>{"policy":{"enabled","data"},"metadata":{…}}</c>.
/// </summary>
public sealed record PolicyRequestModel
{
    public bool? Enabled { get; init; }
    public JsonObject? Data { get; init; }
    public PolicyRequestModel? Policy { get; init; }
    public JsonObject? Metadata { get; init; }
}

/// <summary>A group (doc §1.5): <c>{"id","organizationId","name","externalId","collections":[…],"object":"group"}</c>.</summary>
public sealed record GroupResponseModel
{
    public Guid Id { get; init; }
    public Guid OrganizationId { get; init; }
    public required string Name { get; init; }
    public string? ExternalId { get; init; }
    public IReadOnlyList<SelectionReadOnlyResponseModel> Collections { get; init; } = [];
    public string Object { get; init; } = "group";
}

/// <summary>Group create and update body: name, collection access and member ids (upstream <c>GroupRequestModel</c>).</summary>
public sealed record GroupRequestModel
{
    public string? Name { get; init; }
    public string? ExternalId { get; init; }
    public IReadOnlyList<SelectionReadOnlyRequestModel>? Collections { get; init; }
    public IReadOnlyList<Guid>? Users { get; init; }
}
