// Spans, positions in code points, UTF-8 checks and the diagnostic renderer.
#include <gtest/gtest.h>

#include "interpreter/source/diagnostic.hpp"
#include "interpreter/source/markup.hpp"
#include "interpreter/source/sha256.hpp"
#include "interpreter/source/source.hpp"

namespace refpol {
namespace {

TEST(Source, PositionsAreOneBasedLinesAndCodePointColumns) {
  SourceFile f("p.refpol", "ab\n老友x\n\nlast");
  EXPECT_EQ(f.position(0).line, 1u);
  EXPECT_EQ(f.position(0).column, 1u);
  EXPECT_EQ(f.position(2).column, 3u);  // the newline itself
  // `老` and `友` are three bytes each: `x` is byte 9 but column 3.
  EXPECT_EQ(f.position(9).line, 2u);
  EXPECT_EQ(f.position(9).column, 3u);
  EXPECT_EQ(f.position(11).line, 3u);
  EXPECT_EQ(f.position(12).line, 4u);
  EXPECT_EQ(f.position(1000).line, 4u);  // past the end clamps to the end
  EXPECT_EQ(f.line_text(2), "老友x");
  EXPECT_EQ(f.line_text(3), "");
  EXPECT_EQ(f.line_count(), 4u);
}

TEST(Source, CarriageReturnsAreNotPartOfTheLine) {
  SourceFile f("p.refpol", "one\r\ntwo\r\n");
  EXPECT_EQ(f.line_text(1), "one");
  EXPECT_EQ(f.position(5).line, 2u);
}

TEST(Source, ByteOrderMarkTakesNoColumn) {
  SourceFile f("p.refpol", "\xEF\xBB\xBFpolicy");
  EXPECT_EQ(f.position(3).column, 1u);
  EXPECT_EQ(f.position(5).column, 3u);
}

TEST(Source, InvalidUtf8IsFound) {
  EXPECT_EQ(find_invalid_utf8("plain ascii"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("中文"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("ab\xC3\x28"), 2u);          // bad continuation
  EXPECT_EQ(find_invalid_utf8("ab\xC0\xAF"), 2u);          // overlong
  EXPECT_EQ(find_invalid_utf8("\xED\xA0\x80"), 0u);        // surrogate
  EXPECT_EQ(find_invalid_utf8("ok\xE4\xB8"), 2u);          // truncated at the end
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);    // past U+10FFFF
}

TEST(Source, PrintableLineKeepsColumnsAligned) {
  std::string line = "a\tb";
  line += '\0';
  line += "c\xFF";
  line += "中";
  // Tab -> space, NUL -> ?, invalid byte -> ?; each one column, as count_code_points counts.
  EXPECT_EQ(printable_line(line), "a b?c?中");
  EXPECT_EQ(count_code_points(line), count_code_points(printable_line(line)));
}

TEST(Render, ErrorWithCaretUnderTheWholeSpanNoteAndHint) {
  auto src = std::make_shared<SourceFile>("policies/x.refpol", "policy \"x\" version 1\n  and referrer.total_spent >= 500 CNY\n");
  Diagnostic d{Severity::error, "E102", "unknown field `total_spent` on `referrer`", src, Span{36, 47}, {"a note"}, "did you mean `total_spend`?"};
  EXPECT_EQ(render_text(d),
            "policies/x.refpol:2:16: error: unknown field `total_spent` on `referrer` [E102]\n"
            "   2 |   and referrer.total_spent >= 500 CNY\n"
            "     |                ^~~~~~~~~~~\n"
            "      note: a note\n"
            "      hint: did you mean `total_spend`?\n");
}

TEST(Render, CaretCountsCodePointsBeforeIt) {
  auto src = std::make_shared<SourceFile>("p.refpol", "title \"礼盒\" oops\n");
  Diagnostic d{Severity::warning, "W501", "m", src, Span{15, 19}, {}, {}};
  // `title "礼盒" ` is 11 columns (礼 and 盒 are one column each), so `oops` starts at 12.
  EXPECT_EQ(render_text(d), "p.refpol:1:12: warning: m [W501]\n   1 | title \"礼盒\" oops\n     |            ^~~~\n");
}

TEST(Render, SpanOverSeveralLinesUnderlinesToTheEndOfTheFirst) {
  auto src = std::make_shared<SourceFile>("p.refpol", "define x = a\n  and b\n");
  Diagnostic d{Severity::error, "E201", "m", src, Span{11, 20}, {}, {}};
  EXPECT_EQ(render_text(d), "p.refpol:1:12: error: m [E201]\n   1 | define x = a\n     |            ^\n");
}

TEST(Render, JsonHasPositionsAndEscapes) {
  auto src = std::make_shared<SourceFile>("p.refpol", "ab\ncd\n");
  Diagnostics ds;
  ds.error("E001", src, Span{3, 5}, "bad \"quote\"").hint = "fix";
  EXPECT_EQ(render_json(ds),
            "[{\"severity\":\"error\",\"code\":\"E001\",\"message\":\"bad \\\"quote\\\"\",\"file\":\"p.refpol\","
            "\"line\":2,\"column\":1,\"end_line\":2,\"end_column\":3,\"notes\":[],\"hint\":\"fix\"}]");
}

// json_plain_prefix stops at the first `"`, `\` or control character wherever it stands in
// its block of sixteen or eight, or among the last bytes, and at no other byte: space, DEL and
// UTF-8 bytes are plain.
TEST(Render, JsonPlainPrefixStopsAtTheFirstByteToEscape) {
  for (char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
    for (std::size_t length : {1u, 7u, 8u, 9u, 12u, 15u, 16u, 17u, 23u, 31u, 32u, 40u}) {
      for (std::size_t at = 0; at < length; ++at) {
        std::string text(length, 'a');
        text[at] = special;
        EXPECT_EQ(json_plain_prefix(text), at) << int(special) << " " << length << " " << at;
        std::string copy;
        append_json_escaped(copy, text);
        EXPECT_EQ(copy.substr(0, at), text.substr(0, at));
        EXPECT_EQ(copy[at], '\\');  // every escape starts with one
      }
    }
  }
  // Two to escape: the first counts, in the last bytes too (which overlap the block before).
  for (std::size_t length : {9u, 12u, 15u, 17u, 23u, 31u, 33u}) {
    std::string text(length, 'a');
    text[length - 1] = '"';
    text[length - 2] = '\n';
    EXPECT_EQ(json_plain_prefix(text), length - 2) << length;
  }
  const std::string plain = std::string("  \x7f\x80\xff ") + "老友荐新邻 0123456789 ~!";
  EXPECT_EQ(json_plain_prefix(plain), plain.size());
  for (std::size_t length = 0; length <= plain.size(); ++length) {
    EXPECT_EQ(json_plain_prefix(std::string_view(plain).substr(0, length)), length);
  }
  EXPECT_EQ(json_plain_prefix(""), 0u);
  EXPECT_EQ(json_escape("a\"b\\c\nd\x01" "e"), "a\\\"b\\\\c\\nd\\u0001e");
}

TEST(Render, DiagnosticsSortByFileThenPosition) {
  auto a = std::make_shared<SourceFile>("a.refpol", "xxxxxxxx");
  auto b = std::make_shared<SourceFile>("b.refpol", "xxxxxxxx");
  Diagnostics ds;
  ds.error("E2", b, Span{1, 2}, "m");
  ds.error("E1", a, Span{5, 6}, "m");
  ds.warning("W1", a, Span{2, 3}, "m");
  ds.sort();
  EXPECT_EQ(ds.items()[0].code, "W1");
  EXPECT_EQ(ds.items()[1].code, "E1");
  EXPECT_EQ(ds.items()[2].code, "E2");
  EXPECT_EQ(ds.error_count(), 2u);
  EXPECT_EQ(ds.warning_count(), 1u);
}

TEST(Sha256, StandardVectors) {
  // FIPS 180-4 examples.
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(MarkupEscape, EntitiesForTheFiveSpecialCharactersAndNothingElse) {
  EXPECT_EQ(markup_escape(R"(<a href="x">Tom & Jerry's</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(markup_escape("老朋友 50.00 CNY"), "老朋友 50.00 CNY");  // UTF-8 passes through
  EXPECT_EQ(markup_escape(""), "");
}

TEST(MarkupEscape, ControlCharactersXmlForbidsBecomeReplacementCharacters) {
  // Tab, newline and carriage return are allowed in XML 1.0; NUL, 0x01 and ESC are not.
  EXPECT_EQ(markup_escape(std::string("a\tb\nc\rd", 7)), std::string("a\tb\nc\rd", 7));
  EXPECT_EQ(markup_escape(std::string("a\0b\x01" "c\x1b", 6)), "a\uFFFDb\uFFFDc\uFFFD");
}

}  // namespace
}  // namespace refpol
