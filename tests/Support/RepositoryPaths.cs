namespace Catalyst.Tests.Support;

/// <summary>Where the repository is, and the build output of its projects in the configuration these binaries were built in.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding Catalyst.sln, found by walking up from the running binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration of the running binaries (bin/&lt;Configuration&gt;/net10.0): processes are started from the same one.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary><c>src/&lt;project&gt;/bin/&lt;Configuration&gt;/net10.0/&lt;assembly&gt;.dll</c>; fails when the solution was not built.</summary>
    public static string BuildOutput(string project, string assembly)
    {
        var dll = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", assembly + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{assembly} was not found: build the solution first (dotnet build -c {Configuration}).", dll);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Catalyst.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Catalyst.sln not found above " + AppContext.BaseDirectory);
    }
}
