// Package mermaidcheck checks Mermaid diagrams for tests: a strict grammar check of
// the subset package render emits, and (ParseNPM) Mermaid's own parser from npm.
package mermaidcheck

import (
	"fmt"
	"regexp"
	"strings"
)

// Check is a strict check of the Mermaid subset Mermaid emits, line by
// line, so that a diagram that passes it also parses in Mermaid:
//
//	flowchart LR|TB                       first line
//	%% comment
//	subgraph ID["label"] ... end          not nested, ids unique
//	ID["l"] ID(["l"]) ID(("l")) ID[/"l"/] ID{{"l"}}   node declarations, once each
//	ID -->|"label"| ID   ID -.->|"label"| ID          edges between declared nodes
//	classDef NAME prop:value,...          class styles
//	class ID,ID NAME                      declared nodes, a defined class
//
// An id is [A-Za-z_][A-Za-z0-9_]*, not a Mermaid keyword, not starting with
// o or x (read as arrow heads after "--"). A label is quoted and holds no
// quote, no newline, and no "#" outside an entity such as #quot; or #35;.
// It returns every problem found, one per line, or nil.
func Check(src string) error {
	c := mermaidChecker{nodes: map[string]bool{}, subgraphs: map[string]bool{}, classes: map[string]bool{}}
	if !strings.HasSuffix(src, "\n") {
		c.errorf(0, "the diagram does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
	for i, line := range lines {
		c.line(i+1, line)
	}
	if c.depth != 0 {
		c.errorf(len(lines), "subgraph %s is not closed with end", c.open)
	}
	for _, u := range c.uses {
		switch {
		case u.class && !c.classes[u.id]:
			c.errorf(u.line, "class %s has no classDef", u.id)
		case !u.class && !c.nodes[u.id]:
			c.errorf(u.line, "%s is not a declared node", u.id)
		}
	}
	if len(c.problems) == 0 {
		return nil
	}
	return fmt.Errorf("not in our Mermaid subset:\n%s", strings.Join(c.problems, "\n"))
}

const (
	mmdID    = `([A-Za-z_][A-Za-z0-9_]*)`
	mmdLabel = `("[^"\n]*")`
)

var (
	mmdHeader   = regexp.MustCompile(`^flowchart (LR|TB)$`)
	mmdComment  = regexp.MustCompile(`^%%`)
	mmdSubgraph = regexp.MustCompile(`^subgraph ` + mmdID + `\[` + mmdLabel + `\]$`)
	mmdNode     = regexp.MustCompile(`^` + mmdID + `(?:\[` + mmdLabel + `\]|\(\[` + mmdLabel + `\]\)|\(\(` + mmdLabel +
		`\)\)|\[/` + mmdLabel + `/\]|\{\{` + mmdLabel + `\}\})$`)
	mmdEdge     = regexp.MustCompile(`^` + mmdID + ` (-->|-\.->)\|` + mmdLabel + `\| ` + mmdID + `$`)
	mmdClassDef = regexp.MustCompile(`^classDef ` + mmdID + ` ([a-z-]+:[#A-Za-z0-9. ]+)(,[a-z-]+:[#A-Za-z0-9. ]+)*$`)
	mmdClass    = regexp.MustCompile(`^class (` + mmdID[1:len(mmdID)-1] + `(?:,[A-Za-z_][A-Za-z0-9_]*)*) ` + mmdID + `$`)
	mmdEntity   = regexp.MustCompile(`#([a-z]+|[0-9]+);`)
)

// mermaidKeywords may not be ids: the flowchart grammar reads them as syntax.
var mermaidKeywords = map[string]bool{"end": true, "subgraph": true, "graph": true, "flowchart": true,
	"class": true, "classDef": true, "style": true, "linkStyle": true, "click": true, "call": true,
	"href": true, "direction": true, "default": true, "interpolate": true, "callback": true}

type mermaidUse struct {
	line  int
	id    string
	class bool
}

type mermaidChecker struct {
	problems  []string
	depth     int
	open      string
	nodes     map[string]bool
	subgraphs map[string]bool
	classes   map[string]bool
	uses      []mermaidUse // checked at the end: classDef may follow class
}

func (c *mermaidChecker) errorf(line int, format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf("  line %d: %s", line, fmt.Sprintf(format, args...)))
}

func (c *mermaidChecker) id(line int, id string) {
	if mermaidKeywords[id] || mermaidKeywords[strings.ToLower(id)] {
		c.errorf(line, "id %s is a Mermaid keyword", id)
	}
	if id[0] == 'o' || id[0] == 'x' {
		c.errorf(line, "id %s starts with %c, which Mermaid may read as an arrow head", id, id[0])
	}
}

func (c *mermaidChecker) label(line int, quoted string) {
	if strings.Contains(mmdEntity.ReplaceAllString(quoted, ""), "#") {
		c.errorf(line, "label %s has a # that is not an entity", quoted)
	}
}

func (c *mermaidChecker) declare(line int, id string) {
	c.id(line, id)
	if c.nodes[id] || c.subgraphs[id] {
		c.errorf(line, "%s is declared twice", id)
	}
}

func (c *mermaidChecker) line(n int, raw string) {
	line := strings.TrimLeft(raw, " ")
	if n == 1 {
		if !mmdHeader.MatchString(raw) {
			c.errorf(n, "the first line must be \"flowchart LR\" or \"flowchart TB\", not %q", raw)
		}
		return
	}
	if mmdComment.MatchString(line) {
		if strings.HasPrefix(line, "%%{") {
			c.errorf(n, "a comment may not start with %%%%{, which Mermaid reads as a directive")
		}
		return
	}
	if strings.ContainsAny(mmdEntity.ReplaceAllString(line, ""), "\t\r;") {
		c.errorf(n, "tab, carriage return or ';' in %q", raw)
	}
	switch {
	case line == "":
		c.errorf(n, "empty line")
	case line == "end":
		if c.depth == 0 {
			c.errorf(n, "end without subgraph")
			return
		}
		c.depth--
	case mmdSubgraph.MatchString(line):
		m := mmdSubgraph.FindStringSubmatch(line)
		c.declare(n, m[1])
		c.label(n, m[2])
		c.subgraphs[m[1]] = true
		if c.depth > 0 {
			c.errorf(n, "subgraph %s is nested in %s", m[1], c.open)
		}
		c.depth++
		c.open = m[1]
	case mmdEdge.MatchString(line):
		m := mmdEdge.FindStringSubmatch(line)
		c.label(n, m[3])
		c.uses = append(c.uses, mermaidUse{line: n, id: m[1]}, mermaidUse{line: n, id: m[4]})
	case mmdNode.MatchString(line):
		m := mmdNode.FindStringSubmatch(line)
		c.declare(n, m[1])
		for _, l := range m[2:] {
			if l != "" {
				c.label(n, l)
			}
		}
		c.nodes[m[1]] = true
	case mmdClassDef.MatchString(line):
		m := mmdClassDef.FindStringSubmatch(line)
		if c.classes[m[1]] {
			c.errorf(n, "classDef %s is defined twice", m[1])
		}
		c.classes[m[1]] = true
	case mmdClass.MatchString(line):
		m := mmdClass.FindStringSubmatch(line)
		for _, id := range strings.Split(m[1], ",") {
			c.uses = append(c.uses, mermaidUse{line: n, id: id})
		}
		c.uses = append(c.uses, mermaidUse{line: n, id: m[2], class: true})
	default:
		c.errorf(n, "not a line of our subset: %q", raw)
	}
}
