using System.Text.Json.Serialization.Metadata;
using Coffer.Protocol.Api;
using Coffer.Server.Errors;

namespace Coffer.Server.Hosting;

/// <summary>
/// The HTTP API's wire format and its description: Bitwarden's JSON conventions (<see cref="CofferJson"/>, strings
/// without NUL: <see cref="NoNulStrings"/>, lists without null: <see cref="NoNullElements"/>), RFC 9457
/// problem details for Coffer's own routes, binding failures thrown so that Errors/BitwardenErrors answers them in
/// the route family's format, and the OpenAPI document with its UI at <c>/docs</c> (off with <c>Coffer:ApiDocs</c>).
/// </summary>
public static class ApiDocs
{
    public static IServiceCollection AddCofferApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(json =>
        {
            CofferJson.Configure(json.SerializerOptions);
            json.SerializerOptions.Converters.Add(new NoNulStrings());
            json.SerializerOptions.TypeInfoResolver = (json.SerializerOptions.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
                .WithAddedModifier(NoNullElements.Modify);
        });
        services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger => swagger.SwaggerDoc("v1", new() { Title = "Coffer API", Version = "v1" }));
        return services;
    }

    /// <summary>Serves <c>/docs/v1/openapi.json</c> and the UI at <c>/docs</c>, unless <see cref="ServerOptions.ApiDocs"/> is false (then 404).</summary>
    public static void UseApiDocs(this WebApplication app, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.ApiDocs)
        {
            return;
        }

        app.UseSwagger(swagger => swagger.RouteTemplate = "docs/{documentName}/openapi.json");
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "docs";
            ui.SwaggerEndpoint("/docs/v1/openapi.json", "Coffer API v1");
        });
    }
}
