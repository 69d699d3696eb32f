using System.Text.Json;
using Oms.Integration;

namespace Oms.Tests;

/// <summary>The known answers of the reference implementation (shared/testdata/matrix-sign-vectors.json).</summary>
public class SignatureTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Vectors().EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    private static JsonElement Vectors()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "shared", "testdata", "matrix-sign-vectors.json")))
            dir = dir.Parent;
        Assert.NotNull(dir);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.FullName, "shared", "testdata", "matrix-sign-vectors.json")));
        return doc.RootElement.Clone();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reproduces_reference_vector(string name)
    {
        var c = Vectors().EnumerateArray().Single(v => v.GetProperty("name").GetString() == name);
        var token = c.GetProperty("token").GetString()!;
        var parameters = c.GetProperty("params");
        Assert.Equal(c.GetProperty("assembled").GetString(), MatrixSignature.Assemble(parameters));
        Assert.Equal(c.GetProperty("sign").GetString(), MatrixSignature.Sign(parameters, token));

        // Inbound form fields are flat strings: the same answer through the form overload.
        if (parameters.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.String))
        {
            var form = parameters.EnumerateObject().Select(p => new KeyValuePair<string, string?>(p.Name, p.Value.GetString()));
            Assert.Equal(c.GetProperty("sign").GetString(), MatrixSignature.Sign(form, token));
        }
    }

    [Fact]
    public void Comparison_ignores_case_and_refuses_empty()
    {
        Assert.True(MatrixSignature.Matches("abcdef", "ABCDEF"));
        Assert.False(MatrixSignature.Matches("", "ABCDEF"));
        Assert.False(MatrixSignature.Matches("ABCDEE", "ABCDEF"));
    }
}
