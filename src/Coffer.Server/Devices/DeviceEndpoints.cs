using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Devices;

/// <summary>
/// The caller's devices (account doc §4): list, look up, and deactivate. A device row exists only while the
/// device may act: deactivating deletes it, which deletes its refresh tokens (ON DELETE CASCADE) and fails its
/// access token at the next request (the bearer handler checks that the device still exists). Another user's
/// device is "not found" (404, never 403).
/// </summary>
public static class DeviceEndpoints
{
    public static void MapDevices(this IEndpointRouteBuilder api)
    {
        var devices = api.MapGroup("/devices").WithTags("Devices");
        devices.MapGet("", List).Produces<ListResponseModel<DeviceAuthRequestResponseModel>>();
        devices.MapGet("/identifier/{identifier}", ByIdentifier).Produces<DeviceResponseModel>();
        devices.MapPost("/{id:guid}/deactivate", Deactivate).WithSummary("Sign the device out for good: its tokens stop working");
        devices.MapDelete("/{id:guid}", Deactivate).WithSummary("Upstream's preferred form of /deactivate");
    }

    private static async Task<IResult> List(ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var userId = principal.UserId();
        var devices = await db.Devices.AsNoTracking().Where(d => d.UserId == userId).OrderBy(d => d.CreationDate).ToListAsync(ct);
        var data = devices.ConvertAll(d => new DeviceAuthRequestResponseModel
        {
            Id = d.Id,
            Name = d.Name,
            Type = d.Type,
            Identifier = d.Identifier,
            CreationDate = d.CreationDate,
            LastActivityDate = d.RevisionDate,
        });
        return Results.Json(new ListResponseModel<DeviceAuthRequestResponseModel> { Data = data }, CofferJson.Options);
    }

    private static async Task<IResult> ByIdentifier(string identifier, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var userId = principal.UserId();
        var device = await db.Devices.AsNoTracking().SingleOrDefaultAsync(d => d.UserId == userId && d.Identifier == identifier, ct);
        return device is null ? DeviceNotFound() : Results.Json(ToResponse(device), CofferJson.Options);
    }

    private static async Task<IResult> Deactivate(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var device = await db.Devices.SingleOrDefaultAsync(d => d.Id == id && d.UserId == userId, ct);
        if (device is null)
        {
            return DeviceNotFound();
        }

        db.Devices.Remove(device);
        changes.Record(EventType.DeviceDeactivated, userId, detail: $"device {device.Id} ({device.Name}, type {device.Type})");
        // Its tokens stop working at their next request; its live connection is logged out and closed at once.
        changes.Notify(PushType.LogOut, userId, excludeActingDevice: false, onlyDevice: device.Identifier);
        await changes.CommitAsync(ct: ct);
        return Results.Ok();
    }

    // The device's last password grant: Coffer does not track activity per request.
    private static DeviceResponseModel ToResponse(Device device) => new()
    {
        Id = device.Id,
        Name = device.Name,
        Type = device.Type,
        Identifier = device.Identifier,
        CreationDate = device.CreationDate,
        LastActivityDate = device.RevisionDate,
    };

    private static IResult DeviceNotFound() => BitwardenErrors.NotFound("Device not found.");
}
