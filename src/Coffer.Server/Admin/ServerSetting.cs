namespace Coffer.Server.Admin;

/// <summary>A server-wide setting kept in the database so that every node behind a load balancer agrees.</summary>
public sealed class ServerSetting
{
    public required string Name { get; set; }
    public required string Value { get; set; }
}
