package mdtext_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/mdtext"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/markdowncheck"
)

func TestText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "nightly reports, approved in SEC-42", "nightly reports, approved in SEC-42"},
		{"a pipe would end the cell", "a | b", `a \| b`},
		{"a newline would end the row", "a\nb\r\nc", "a b  c"},
		{"HTML", "<img src=x onerror=alert(1)>", `&lt;img src=x onerror=alert(1)&gt;`},
		{"a link", "[click](https://evil.example)", "`[click](https://evil.example)`"},
		{"an image", "![x](y.png)", `\![x\](y.png)`},
		{"a mention pings", "ask @octocat now", "ask `@octocat` now"},
		{"an e-mail address links", "ops@example.com", "`ops@example.com`"},
		{"a bare @ is text", "a @ b", "a @ b"},
		{"a reference definition", "[x]: /evil", `[x\]: /evil`},
		{"brackets alone are text", "ingress[5]", "ingress[5]"},
		{"an autolink", "see www.example.com", "see `www.example.com`"},
		{"emphasis and code", "*bold* _it_ `code` ~~x~~", "\\*bold\\* \\_it\\_ \\`code\\` \\~\\~x\\~\\~"},
		{"an entity", "&amp; #1 $x$", `&amp;amp; \#1 \$x\$`},
		{"zero-width spaces are stripped", "ok" + strings.Repeat("\u200b", 22000), "ok"},
		{"bidi controls are stripped", "safe\u202e)gnp.exe", "safe)gnp.exe"},
		{"a backtick in a linky word", "@x`y", "`@x'y`"},
		{"a pipe in a linky word", "@x|y", "`@x\\|y`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, mdtext.Text(tt.in))
		})
	}
}

func TestTextIsCapped(t *testing.T) {
	got := mdtext.Text(strings.Repeat("a", 5000))
	assert.Equal(t, strings.Repeat("a", mdtext.MaxCell-1)+"…", got)
	assert.Equal(t, mdtext.MaxCell, mdtext.Len(got))
}

func TestCode(t *testing.T) {
	assert.Equal(t, "`mesh-Redis-egress-all-.._0`", mdtext.Code("mesh-Redis-egress-all-.._0"))
	assert.Equal(t, "`a'b \\| c`", mdtext.Code("a`b | c\u200b"))
	assert.Equal(t, "", mdtext.Code("\u200b"))
}

func TestLenCountsUTF16(t *testing.T) {
	assert.Equal(t, 3, mdtext.Len("abc"))
	assert.Equal(t, 1, mdtext.Len("é"), "one character, two bytes")
	assert.Equal(t, 2, mdtext.Len("😀"), "an astral character is two UTF-16 units")
}

// In a table, every escaped text stays one cell and renders as what it
// says: no link, image, HTML or emphasis (checked by parsing as GitHub does).
func TestTextInATable(t *testing.T) {
	inputs := []string{"[click](https://evil.example)", "![x](y.png)", "<b>bold</b>", "a | b", "*x*", "@octocat", "line\nbreak", "see https://evil.example/x and www.evil.example"}
	var b strings.Builder
	b.WriteString("| a | b |\n|---|---|\n")
	for _, in := range inputs {
		b.WriteString("| " + mdtext.Text(in) + " | x |\n")
	}
	md := b.String()
	assert.Empty(t, markdowncheck.Problems(md))
	doc := markdowncheck.Parse(md)
	assert.Equal(t, []string{"[click](https://evil.example)", "![x](y.png)", "&lt;b&gt;bold&lt;/b&gt;", "a | b", "*x*", "@octocat", "line break", "see https://evil.example/x and www.evil.example"}, doc.Column("a"))
	// The oracle sees what it should: the same inputs unescaped are active.
	assert.Len(t, markdowncheck.Active("[click](https://evil.example) ![x](y.png) <b>b</b> @octocat www.evil.example"), 6)
	assert.Empty(t, markdowncheck.Active(md), "no link, image, HTML or mention")
}
