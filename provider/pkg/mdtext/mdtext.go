// Package mdtext is the one escaper for every Markdown the tools write (the
// review, preview-summary, audit's drift table, the migration report). Their
// text comes from a declaration or an account that the author of a pull
// request controls, and the Markdown is posted by a bot that a reviewer
// trusts, so text must render as the same text: no links, images, HTML,
// emphasis or @mentions of its own, no characters a reader cannot see, and
// no cell so long it pushes what matters out of a comment.
package mdtext

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxCell is the most characters a cell (or a list item) shows; past it the
// text is cut and ends with an ellipsis. A reason that is longer is not a
// reason a reviewer reads, and capping it keeps one cell from filling a comment.
const MaxCell = 400

// Visible drops the characters a reader cannot see or that reorder what they
// see: format characters (Unicode Cf: zero-width spaces and joiners, bidi
// controls, the byte order mark, soft hyphens, tag characters), and turns
// control characters and line breaks into spaces.
func Visible(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError, unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r), r == '\u115f', r == '\u1160', r == '\u3164', r == '\uffa0':
			return -1 // invisible; the Hangul fillers render blank but are letters (Lo)
		case unicode.IsControl(r), unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r):
			return ' '
		}
		return r
	}, s)
}

// capped cuts s to MaxCell characters.
func capped(s string) string {
	if utf8.RuneCountInString(s) <= MaxCell {
		return s
	}
	return string([]rune(s)[:MaxCell-1]) + "…"
}

// special are the ASCII characters that start Markdown in text wherever they
// stand: a backslash escape makes each one literal (CommonMark: any ASCII
// punctuation). Brackets make a link only with what follows them (see Text).
const special = "\\`*_~#|$"

// entities are the characters that start HTML, as entities.
var entities = map[rune]string{'<': "&lt;", '>': "&gt;", '&': "&amp;"}

// Text is s as literal Markdown text, safe in a table cell or a list item:
// visible characters only, at most MaxCell of them, Markdown and HTML
// escaped, and every word that GitHub would turn into a link or a mention
// (@name, scheme://..., www....) set as code, where GitHub links and mentions
// nothing.
func Text(s string) string {
	s = capped(strings.TrimSpace(Visible(s)))
	var b strings.Builder
	for i, word := range strings.Split(s, " ") {
		if i > 0 {
			b.WriteByte(' ')
		}
		if linky(word) {
			b.WriteString(Code(word))
			continue
		}
		for i, r := range word {
			next := byte(0)
			if i+1 < len(word) {
				next = word[i+1]
			}
			switch {
			case entities[r] != "":
				b.WriteString(entities[r])
				continue
			case strings.ContainsRune(special, r),
				r == '!' && next == '[',                                 // an image
				r == ']' && (next == '(' || next == '[' || next == ':'): // a link, a reference or its definition
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// linky reports whether GitHub would link or mention something in word: an
// @ before a letter or digit (a mention, or an e-mail address), a URL
// scheme, or a bare www. host.
func linky(word string) bool {
	lower := strings.ToLower(word)
	if strings.Contains(lower, "://") || strings.Contains(lower, "www.") || strings.Contains(lower, "mailto:") {
		return true
	}
	for i := strings.IndexByte(word, '@'); i >= 0 && i+1 < len(word); {
		if c := rune(word[i+1]); unicode.IsLetter(c) || unicode.IsDigit(c) {
			return true
		}
		j := strings.IndexByte(word[i+1:], '@')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// Code is s as an inline code span: visible characters, with the backticks
// that would end the span replaced by quotes and pipes escaped (GitHub ends
// a table cell at a bare pipe even inside code). It is for names and
// commands a reader copies, so it is not cut: EC2 bounds names, and the
// tools write the commands.
func Code(s string) string {
	s = strings.TrimSpace(Visible(s))
	if s == "" {
		return ""
	}
	return "`" + strings.NewReplacer("`", "'", "|", `\|`).Replace(s) + "`"
}

// Len is the length of s as GitHub counts it against a comment's limit: in
// UTF-16 code units, which is never fewer than its characters, so a comment
// that fits by this count fits.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// CommentLimit is the most characters a GitHub comment holds.
const CommentLimit = 65536
