using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Kyperian.Domain.Alerts;

namespace Kyperian.Domain.Tests;

public class PrintableTests
{
    [Theory]
    [InlineData("BTCUSDT", "BTCUSDT")]
    [InlineData("line\nforged", "line\\u000Aforged")]
    [InlineData("a\r\tb", "a\\u000D\\u0009b")]
    [InlineData("\u001b[31mred", "\\u001B[31mred")]
    [InlineData("x\u007fy\u0085z", "x\\u007Fy\\u0085z")]
    [InlineData("abc\u202Edef", "abc\\u202Edef")]
    [InlineData("a\u2066b\u2069c\u200Ed\u200Fe\u061Cf", "a\\u2066b\\u2069c\\u200Ed\\u200Fe\\u061Cf")]
    [InlineData("zero\u200Bwidth\u200C\u200D\u2060\uFEFF", "zero\\u200Bwidth\\u200C\\u200D\\u2060\\uFEFF")]
    [InlineData("café €", "café €")]
    public void Hidden_characters_become_visible_escapes(string text, string escaped) =>
        Assert.Equal(escaped, Printable.Escape(text));

    [Fact]
    public void Printable_text_is_returned_as_is()
    {
        const string text = "ordinary text";
        Assert.Same(text, Printable.Escape(text));
    }

    [Property(MaxTest = 500)]
    public Property An_escaped_text_holds_no_unsafe_character() =>
        Prop.ForAll(ArbMap.Default.ArbFor<string>().Filter(s => s is not null), text =>
            !Printable.HasUnsafe(Printable.Escape(text, int.MaxValue)));
}
