using System.Text.RegularExpressions;
using System.Xml.Linq;
using Oms.Server.Web;

namespace Oms.Tests.Web;

/// <summary>Every UI string used by a page exists in Chinese and in English.</summary>
public sealed partial class LocalizationTests
{
    private static string ServerProject()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Oms.slnx"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "src", "Oms.Server");
    }

    private static HashSet<string> Keys(string file) =>
        XDocument.Load(Path.Combine(ServerProject(), "Resources", file)).Root!.Elements("data")
            .Select(d => (string)d.Attribute("name")!).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Chinese_and_English_resources_hold_the_same_keys()
    {
        var zh = Keys("SharedResource.resx");
        var en = Keys("SharedResource.en.resx");
        Assert.Empty(zh.Except(en));
        // only setting descriptions are English-only: their Chinese text is SettingsRegistry's own
        Assert.All(en.Except(zh), k => Assert.StartsWith("Setting.", k, StringComparison.Ordinal));
        Assert.All(Oms.Admin.SettingsRegistry.All, s => Assert.Contains("Setting." + s.Key, en));
    }

    [Fact]
    public void Every_key_a_page_uses_exists()
    {
        var zh = Keys("SharedResource.resx");
        var used = Directory.EnumerateFiles(ServerProject(), "*.cs*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cshtml", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => LiteralKey().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Key: m.Groups[1].Value)))
            .ToList();
        Assert.NotEmpty(used);
        Assert.Empty(used.Where(u => !zh.Contains(u.Key)).Select(u => $"{u.File}: {u.Key}"));

        var nav = Navigation.AllItems.Select(i => "Nav." + i.Key)
            .Concat(Navigation.Groups.Select(g => "Nav." + g.Key))
            .Concat(Navigation.AllItems.Where(i => !i.IsBuilt).Select(i => "Plan." + i.PlannedIn))
            .Concat(new[] { 400, 403, 404, 405, 500 }.SelectMany(c => new[] { $"Error.{c}.Title", $"Error.{c}.Text" }))
            .Concat(["Users.DisabledDone", "Users.EnabledDone"]);
        Assert.All(nav, k => Assert.Contains(k, zh));
    }

    [GeneratedRegex("""\b[lL]\["([A-Za-z0-9_]+\.[A-Za-z0-9_.]+)"\]""")]
    private static partial Regex LiteralKey();
}
