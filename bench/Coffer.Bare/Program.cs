// The default ASP.NET Core host (WebApplication.CreateBuilder: configuration, console logging, Kestrel) with one
// route, answering where coffer-server answers its readiness probe so the bench times both the same way.
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/health", () => "Healthy");
app.Run();
