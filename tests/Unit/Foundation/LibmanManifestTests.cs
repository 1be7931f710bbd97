using System.Text.Json;
using Catalyst.Tests.Unit.Infrastructure;

namespace Catalyst.Tests.Unit.Foundation;

public class LibmanManifestTests
{
    [Fact]
    public void Every_file_the_libman_manifest_names_is_committed()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "libman.json")));
        var libraries = manifest.RootElement.GetProperty("libraries").EnumerateArray().ToList();
        Assert.Contains(libraries, l => l.GetProperty("library").GetString()!.StartsWith("htmx.org@", StringComparison.Ordinal));

        foreach (var library in libraries)
        {
            var name = library.GetProperty("library").GetString()!;
            Assert.Matches(@"@\d+\.\d+\.\d+$", name); // exact versions only
            var destination = library.GetProperty("destination").GetString()!;
            foreach (var file in library.GetProperty("files").EnumerateArray())
            {
                var path = Path.Combine(RepositoryPaths.Root, destination, file.GetString()!);
                Assert.True(File.Exists(path), $"{name}: {path} is missing");
                Assert.True(new FileInfo(path).Length > 1000, $"{name}: {path} is suspiciously small");
            }
        }
    }

    [Fact]
    public void The_layout_loads_htmx_from_the_manifest_destination()
    {
        var layout = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src/Portal/Pages/Shared/_Layout.cshtml"));
        Assert.Contains("~/lib/htmx.org/dist/htmx.min.js", layout, StringComparison.Ordinal);
    }
}
