// Package markdowncheck reads Markdown as GitHub renders a comment
// (CommonMark with GFM tables, by goldmark) for tests: the headings, tables
// and paragraphs a reader sees, and the ways a table breaks silently.
package markdowncheck

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// Doc is what a reader of the rendered Markdown sees.
type Doc struct {
	Headings []string
	Tables   []Table
	// Text is every paragraph's text, a line each.
	Text string
}

// Table is one table's header and rows, as cell text.
type Table struct {
	Header []string
	Rows   [][]string
}

// Parse reads md as GitHub does.
func Parse(md string) Doc {
	src := []byte(md)
	root := goldmark.New(goldmark.WithExtensions(extension.Table)).Parser().Parse(text.NewReader(src))
	var d Doc
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			d.Headings = append(d.Headings, plain(n, src))
			return ast.WalkSkipChildren, nil
		case *ast.Paragraph:
			d.Text += plain(n, src) + "\n"
			return ast.WalkSkipChildren, nil
		case *east.Table:
			var tb Table
			for row := n.FirstChild(); row != nil; row = row.NextSibling() {
				var cells []string
				for c := row.FirstChild(); c != nil; c = c.NextSibling() {
					cells = append(cells, plain(c, src))
				}
				if _, ok := row.(*east.TableHeader); ok {
					tb.Header = cells
				} else {
					tb.Rows = append(tb.Rows, cells)
				}
			}
			d.Tables = append(d.Tables, tb)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return d
}

// backslashEscape is CommonMark's escape of an ASCII punctuation character,
// which text segments keep and a renderer drops.
var backslashEscape = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")

// plain is a node's text without markup.
func plain(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch n := n.(type) {
			case *ast.Text:
				b.Write(backslashEscape.ReplaceAll(n.Segment.Value(src), []byte("$1")))
				if n.SoftLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(n.Value)
			}
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// Column is one column of every table whose header has it, in order.
func (d Doc) Column(name string) []string {
	out := []string{}
	for _, tb := range d.Tables {
		i := -1
		for j, h := range tb.Header {
			if h == name {
				i = j
			}
		}
		if i < 0 {
			continue
		}
		for _, r := range tb.Rows {
			if i < len(r) {
				out = append(out, r[i])
			}
		}
	}
	return out
}

// Section is the Markdown under the first heading line that begins with
// heading ("#### Flows opened" finds "#### Flows opened (3)"), up to the next
// heading of the same level; "" if there is none.
func Section(md, heading string) string {
	level := heading[:strings.IndexFunc(heading, func(r rune) bool { return r != '#' })]
	i := strings.Index("\n"+md, "\n"+heading)
	if i < 0 {
		return ""
	}
	rest := md[i:]
	rest = rest[strings.Index(rest+"\n", "\n"):]
	if j := strings.Index(rest, "\n"+level+" "); j >= 0 {
		rest = rest[:j+1]
	}
	return rest
}

// CodeBlock is a fenced code block: its info string (the language, "" for
// none) and its text.
type CodeBlock struct {
	Info, Text string
}

// CodeBlocks are md's fenced code blocks in order, as a renderer reads them.
func CodeBlocks(md string) []CodeBlock {
	src := []byte(md)
	root := goldmark.New().Parser().Parse(text.NewReader(src))
	var out []CodeBlock
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		f, ok := n.(*ast.FencedCodeBlock)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		var b strings.Builder
		lines := f.Lines()
		for i := range lines.Len() {
			seg := lines.At(i)
			b.Write(seg.Value(src))
		}
		out = append(out, CodeBlock{Info: string(f.Language(src)), Text: b.String()})
		return ast.WalkSkipChildren, nil
	})
	return out
}

// unescapedPipe is a table cell boundary.
var unescapedPipe = regexp.MustCompile(`(^|[^\\])\|`)

// Problems lists the ways md's tables are broken that GFM does not report:
// a row with fewer cells than its header; a line with more cell boundaries
// than its header (GFM drops the extra cells without a word); a table-like
// line that is not read as a table row (a missing separator, a blank line).
func Problems(md string) []string {
	var out []string
	rows := 0
	for _, tb := range Parse(md).Tables {
		rows += 1 + len(tb.Rows)
		for _, r := range tb.Rows {
			if len(r) != len(tb.Header) {
				out = append(out, fmt.Sprintf("row %q of table %q has %d cells", r, tb.Header, len(r)))
			}
		}
	}
	header := 0
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			header = 0
			continue
		}
		if !strings.HasPrefix(line, "|---") {
			rows--
		}
		n := len(unescapedPipe.FindAllString(line, -1))
		if header == 0 {
			header = n
		}
		if n != header {
			out = append(out, "table line has a stray pipe: "+line)
		}
	}
	if rows != 0 {
		out = append(out, fmt.Sprintf("%d table-like lines are not table rows", -rows))
	}
	return out
}

// Active lists what in md GitHub would render as more than text: links,
// images, autolinks (GFM's bare URLs and www. hosts, by goldmark's Linkify),
// raw HTML, and @mentions outside code.
func Active(md string) []string {
	src := []byte(md)
	root := goldmark.New(goldmark.WithExtensions(extension.Table, extension.Linkify)).Parser().Parse(text.NewReader(src))
	var out []string
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			out = append(out, "link "+string(n.Destination))
		case *ast.Image:
			out = append(out, "image "+string(n.Destination))
		case *ast.AutoLink:
			out = append(out, "autolink "+string(n.URL(src)))
		case *ast.RawHTML:
			if tag := string(n.Segments.Value(src)); !ownHTML.MatchString(tag) {
				out = append(out, "html "+tag)
			}
		case *ast.HTMLBlock:
			if l := n.Lines(); l.Len() == 0 || !ownHTML.MatchString(strings.TrimSpace(string(l.Value(src)))) {
				out = append(out, "html block")
			}
		case *ast.CodeSpan:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if m := mention.Find(n.Segment.Value(src)); m != nil {
				out = append(out, "mention "+string(m))
			}
		}
		return ast.WalkContinue, nil
	})
	return out
}

// ownHTML is the HTML the tools write themselves: a collapsed section, code
// in its summary, line breaks in a cell.
var ownHTML = regexp.MustCompile(`^(</?(details|summary|code)>|<br>|<details><summary>.*)$`)

// mention is GitHub's @mention: an @ after a non-word character (or at the
// start of a text), then a login.
var mention = regexp.MustCompile(`(?:^|[^\w])@[a-zA-Z0-9][a-zA-Z0-9-]*`)
