using Kyperian.Api.Hosting;

var app = KyperianApplication.Create(args);
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
