namespace Kyperian.Deploy.Tests;

/// <summary>Paths in the repository the tests run from (found by walking up to Kyperian.Api.sln).</summary>
internal static class Repo
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kyperian.Api.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Kyperian.Api.sln not found above {AppContext.BaseDirectory}");
    });

    public static string Root => RootPath.Value;

    public static string PathOf(string relative) => Path.GetFullPath(Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar)));

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>
    /// A type of the Api assembly found by its simple name, so that a check of the deployment against the app's own
    /// constants does not depend on the namespace the type lives in.
    /// </summary>
    public static Type ApiType(string name) =>
        System.Reflection.Assembly.Load("Kyperian.Api").GetTypes().Single(t => t.Name == name);

    /// <summary>The SecureStrings deploy.sh creates before any stack exists (its <c>secrets=(...)</c> list).</summary>
    public static IReadOnlyList<string> DeployScriptSecrets()
    {
        var match = System.Text.RegularExpressions.Regex.Match(Read("deploy.sh"), @"(?m)^secrets=\(([^)]*)\)");
        return match.Success ? match.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
    }

    /// <summary>The configuration this test assembly was built with; the Api next to it was built the same way.</summary>
    public static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif
}
