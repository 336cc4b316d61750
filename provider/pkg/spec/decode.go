package spec

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/internal/suggest"
)

// MaxBytes bounds a declaration's size. The reference architecture is 4 KB
// and a VPC at AWS's 2,500-group quota, each group at its 60+60 rule quota,
// fits in a few hundred KB; 4 MiB leaves room for generous descriptions
// while a runaway or hostile input is refused before it is parsed.
const MaxBytes = 4 << 20

// maxValues bounds the values a declaration expands to, every YAML alias
// followed where it is used: a few aliases nested in each other can stand
// for billions of values in a file of a few hundred bytes.
const maxValues = 1_000_000

// maxDepth bounds JSON nesting; a declaration is eight levels deep.
const maxDepth = 64

// maxExact is the largest integer the engine carries exactly: Pulumi's
// numbers are float64, so a larger one reaches the provider changed.
const maxExact = 1 << 53

// maxProblems bounds the problems one error lists; the rest are counted.
const maxProblems = 50

// Decode reads a declaration from YAML or JSON (the first YAML document).
// Field names are exact, as the schema's, and a field given twice is an
// error: the engine refuses both, so the offline planner does too. Every
// problem is reported at once, each saying where, on which line, and the fix.
func Decode(data []byte) (Mesh, error) {
	if err := sizeOK(len(data)); err != nil {
		return Mesh{}, err
	}
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal(data, &doc); err != nil {
		return Mesh{}, fmt.Errorf("reading service mesh declaration: %w", err)
	}
	return decodeNode(&doc, true)
}

// DecodeJSON reads a declaration from JSON, strictly, as Decode does. Its
// errors say where without a line: this JSON is made by a program, such as
// the Pulumi engine from a program's inputs.
func DecodeJSON(data []byte) (Mesh, error) {
	if err := sizeOK(len(data)); err != nil {
		return Mesh{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	doc, err := jsonNode(dec, 0)
	if err != nil {
		return Mesh{}, fmt.Errorf("reading service mesh declaration: %w", err)
	}
	if _, err := dec.Token(); err == nil {
		return Mesh{}, errors.New("reading service mesh declaration: trailing data after the declaration")
	}
	return decodeNode(doc, false)
}

func sizeOK(n int) error {
	if n > MaxBytes {
		return fmt.Errorf("reading service mesh declaration: %d bytes is more than the %d (4 MiB) a declaration may have", n, MaxBytes)
	}
	return nil
}

// jsonNode reads one JSON value as the YAML node it is, so that JSON and YAML
// are checked by one walk.
func jsonNode(dec *json.Decoder, depth int) (*yamlv3.Node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested more than %d levels deep", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &yamlv3.Node{Kind: yamlv3.SequenceNode, Tag: "!!seq"}
		if t == '{' {
			n.Kind, n.Tag = yamlv3.MappingNode, "!!map"
		}
		for dec.More() {
			if n.Kind == yamlv3.MappingNode {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, &yamlv3.Node{Kind: yamlv3.ScalarNode, Tag: "!!str", Value: k.(string)})
			}
			v, err := jsonNode(dec, depth+1)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, v)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	case string:
		return &yamlv3.Node{Kind: yamlv3.ScalarNode, Tag: "!!str", Value: t}, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(t.String(), ".eE") {
			tag = "!!float"
		}
		return &yamlv3.Node{Kind: yamlv3.ScalarNode, Tag: tag, Value: t.String()}, nil
	case bool:
		return &yamlv3.Node{Kind: yamlv3.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}, nil
	default: // null
		return &yamlv3.Node{Kind: yamlv3.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
}

// Problem is one thing wrong with a declaration's shape.
type Problem struct {
	// Path names the object: services[0] (api).ingress[1]; "" is the top.
	Path string
	// Line is the line in the source, 0 for JSON made by a program.
	Line    int
	Message string
}

func (p Problem) String() string {
	where := cmp.Or(p.Path, "the declaration")
	if p.Line > 0 {
		where += " (line " + strconv.Itoa(p.Line) + ")"
	}
	return where + ": " + p.Message
}

// DecodeError lists every problem found in a declaration, in document order.
type DecodeError struct {
	Problems []Problem
	// More counts the problems beyond the listed ones.
	More int
}

func (e *DecodeError) Error() string {
	const prefix = "reading service mesh declaration: "
	if len(e.Problems) == 1 && e.More == 0 {
		return prefix + e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s%d problems:", prefix, len(e.Problems)+e.More)
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  and %d more", e.More)
	}
	return b.String()
}

// decodeNode decodes a parsed document into a Mesh, or returns every problem.
func decodeNode(doc *yamlv3.Node, lines bool) (Mesh, error) {
	var m Mesh
	n := doc
	if n.Kind == yamlv3.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind == yamlv3.DocumentNode || n.Kind == 0 { // an empty file
		return m, nil
	}
	d := &decoder{lines: lines, budget: maxValues}
	d.value(n, reflect.ValueOf(&m).Elem(), "", "")
	if len(d.problems) > 0 {
		return Mesh{}, d.err()
	}
	return m, nil
}

// decoder walks a document against Mesh's types, collecting problems.
type decoder struct {
	lines    bool
	budget   int
	problems []Problem
	tooBig   bool
}

func (d *decoder) err() error {
	ps := slices.Compact(d.problems) // a merged mapping's problem comes once per use
	e := &DecodeError{Problems: ps}
	if len(ps) > maxProblems {
		e.Problems, e.More = ps[:maxProblems], len(ps)-maxProblems
	}
	return e
}

func (d *decoder) problem(n *yamlv3.Node, path, format string, args ...any) {
	p := Problem{Path: path, Message: fmt.Sprintf(format, args...)}
	if d.lines {
		p.Line = n.Line
	}
	d.problems = append(d.problems, p)
}

// spend counts one value visited; past the budget the walk stops, once.
func (d *decoder) spend(n *yamlv3.Node) bool {
	d.budget--
	if d.budget >= 0 {
		return true
	}
	if !d.tooBig {
		d.tooBig = true
		d.problem(n, "", "the declaration expands to more than %d values (YAML aliases count each time they are used); write it out plainly, or split it", maxValues)
	}
	return false
}

// resolve follows aliases to the node they name.
func (d *decoder) resolve(n *yamlv3.Node) (*yamlv3.Node, bool) {
	for n.Kind == yamlv3.AliasNode {
		if !d.spend(n) {
			return nil, false
		}
		n = n.Alias
	}
	return n, true
}

// value decodes n into v. path names the object holding the value and
// field the value's field name there ("" for a list item or the top).
func (d *decoder) value(n *yamlv3.Node, v reflect.Value, path, field string) {
	n, ok := d.resolve(n)
	if !ok || !d.spend(n) {
		return
	}
	if n.Kind == yamlv3.ScalarNode && n.ShortTag() == "!!null" {
		return // absent, as in JSON
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		d.value(n, p.Elem(), path, field)
		v.Set(p)
	case reflect.Struct:
		d.object(n, v, path, field)
	case reflect.Map:
		d.mapping(n, v, path, field)
	case reflect.Slice:
		if n.Kind != yamlv3.SequenceNode {
			d.wrong(n, path, field, v.Type())
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		structs := v.Type().Elem().Kind() == reflect.Struct
		for i, item := range n.Content {
			if structs {
				item, ok := d.resolve(item)
				if !ok {
					return
				}
				d.value(item, s.Index(i), itemPath(join(path, field), i, item), "")
			} else {
				d.value(item, s.Index(i), path, field)
			}
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yamlv3.ScalarNode || n.ShortTag() != "!!str" && n.ShortTag() != "!!timestamp" {
			d.wrong(n, path, field, v.Type())
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		if n.Kind != yamlv3.ScalarNode || n.ShortTag() != "!!int" {
			d.wrong(n, path, field, v.Type())
			return
		}
		// As YAML reads an int: 0x1BB, 0o17, 1_000.
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, strconv.IntSize)
		if err != nil || i > maxExact || i < -maxExact {
			d.problem(n, path, "%s: %s is out of range", label(field), n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Bool:
		if n.Kind != yamlv3.ScalarNode || n.ShortTag() != "!!bool" {
			d.wrong(n, path, field, v.Type())
			return
		}
		v.SetBool(strings.EqualFold(n.Value, "true"))
	default:
		panic("spec: no decoding for " + v.Type().String())
	}
}

func join(path, field string) string {
	if path == "" || field == "" {
		return path + field
	}
	return path + "." + field
}

// label names a value in a message.
func label(field string) string { return cmp.Or(field, "this entry") }

// object decodes a mapping into a struct.
func (d *decoder) object(n *yamlv3.Node, v reflect.Value, path, field string) {
	if n.Kind != yamlv3.MappingNode {
		d.wrong(n, path, field, v.Type())
		return
	}
	here := join(path, field)
	fields := jsonFields(v.Type())
	for _, e := range d.entries(n, here) {
		j := slices.IndexFunc(fields, func(f jsonField) bool { return f.name == e.key.Value })
		if j < 0 {
			d.unknown(e.key, here, fields)
			continue
		}
		d.value(e.val, v.FieldByIndex(fields[j].index), here, fields[j].name)
	}
}

// mapping decodes a mapping into a map of strings (tags).
func (d *decoder) mapping(n *yamlv3.Node, v reflect.Value, path, field string) {
	if n.Kind != yamlv3.MappingNode {
		d.wrong(n, path, field, v.Type())
		return
	}
	here := join(path, field)
	m := reflect.MakeMap(v.Type())
	for _, e := range d.entries(n, here) {
		val := reflect.New(v.Type().Elem()).Elem()
		d.value(e.val, val, here, e.key.Value)
		m.SetMapIndex(reflect.ValueOf(e.key.Value).Convert(v.Type().Key()), val)
	}
	v.Set(m)
}

type entry struct{ key, val *yamlv3.Node }

// entries are a mapping's keys and values, a merge key's (<<: *defaults)
// mappings spliced in where the mapping does not set the key itself, as YAML
// merges. A key given twice is a problem: YAML and JSON readers disagree on
// which one wins, and the engine refuses it.
func (d *decoder) entries(n *yamlv3.Node, here string) []entry {
	seen := map[string]int{}
	var out []entry
	var merges []*yamlv3.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if !d.spend(k) {
			return out
		}
		if k.ShortTag() == "!!merge" {
			merges = append(merges, val)
			continue
		}
		if first, ok := seen[k.Value]; ok {
			at := ""
			if d.lines {
				at = fmt.Sprintf(" (first on line %d)", first)
			}
			d.problem(k, here, "%q is given twice%s; keep one", k.Value, at)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, entry{k, val})
	}
	for _, m := range merges {
		m, ok := d.resolve(m)
		if !ok {
			return out
		}
		sources := []*yamlv3.Node{m}
		if m.Kind == yamlv3.SequenceNode {
			sources = m.Content
		}
		for _, src := range sources {
			src, ok := d.resolve(src)
			if !ok {
				return out
			}
			if src.Kind != yamlv3.MappingNode {
				d.problem(src, here, "<< merges a mapping (<<: *defaults) or a list of them")
				continue
			}
			for _, e := range d.entries(src, here) {
				if _, ok := seen[e.key.Value]; !ok {
					seen[e.key.Value] = e.key.Line
					out = append(out, e)
				}
			}
		}
	}
	return out
}

// unknown reports a key that names no field of its object.
func (d *decoder) unknown(k *yamlv3.Node, here string, fields []jsonField) {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	if i := slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, k.Value) }); i >= 0 {
		d.problem(k, here, "unknown field %q; field names are case-sensitive: write %q", k.Value, names[i])
		return
	}
	fix := "valid fields here: " + strings.Join(names, ", ")
	if c, ok := suggest.Closest(k.Value, names); ok {
		fix = fmt.Sprintf("did you mean %q?", c)
	}
	d.problem(k, here, "unknown field %q; %s", k.Value, fix)
}

// aRange is a port range written as one port: 3306-3307.
var aRange = regexp.MustCompile(`^\s*(\d+)\s*-\s*(\d+)\s*$`)

// wrong reports a value of the wrong kind for its field, with the fix.
func (d *decoder) wrong(n *yamlv3.Node, path, field string, want reflect.Type) {
	name := label(field)
	tag := n.ShortTag()
	got := map[yamlv3.Kind]string{yamlv3.SequenceNode: "a list", yamlv3.MappingNode: "a mapping"}[n.Kind]
	if got == "" {
		got = map[string]string{"!!str": "text", "!!int": "a number", "!!float": "a number", "!!bool": "true or false"}[tag]
		got = cmp.Or(got, "a "+strings.TrimPrefix(tag, "!!")) + " (" + strconv.Quote(n.Value) + ")"
	}
	switch want.Kind() {
	case reflect.Int:
		switch {
		case tag == "!!str" && aRange.MatchString(n.Value):
			r := aRange.FindStringSubmatch(n.Value)
			d.problem(n, path, "%s takes numbers, not %s; a range is portRange: {from: %s, to: %s}", name, got, r[1], r[2])
		case tag == "!!str" && isInt(n.Value):
			d.problem(n, path, "%s takes numbers, not %s; write %s without quotes", name, got, strings.TrimSpace(n.Value))
		case tag == "!!float" && isDigits(n.Value): // too big for an int, so YAML reads a float
			d.problem(n, path, "%s: %s is out of range", name, n.Value)
		case tag == "!!float":
			d.problem(n, path, "%s takes whole numbers, not %s", name, got)
		default:
			d.problem(n, path, "%s takes a number, not %s", name, got)
		}
	case reflect.String:
		if n.Kind == yamlv3.ScalarNode {
			d.problem(n, path, "%s takes text, not %s; quote it: %q", name, got, n.Value)
		} else {
			d.problem(n, path, "%s takes text, not %s", name, got)
		}
	case reflect.Bool:
		d.problem(n, path, "%s takes true or false, not %s", name, got)
	case reflect.Slice:
		if n.Kind == yamlv3.ScalarNode && want.Elem().Kind() != reflect.Struct {
			d.problem(n, path, "%s takes a list, not %s; write %s: [%s]", name, got, name, n.Value)
		} else {
			d.problem(n, path, "%s takes a list, not %s", name, got)
		}
	default:
		d.problem(n, path, "%s takes a mapping of fields ({name: value, ...}), not %s", name, got)
	}
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func isInt(s string) bool {
	_, err := strconv.Atoi(strings.TrimSpace(s))
	return err == nil
}

// itemPath names a list item by index and, when it has one, by name:
// services[0] (api).
func itemPath(path string, i int, item *yamlv3.Node) string {
	p := path + "[" + strconv.Itoa(i) + "]"
	if item.Kind == yamlv3.MappingNode {
		for j := 0; j+1 < len(item.Content); j += 2 {
			if item.Content[j].Value == "name" && item.Content[j+1].Kind == yamlv3.ScalarNode {
				return p + " (" + item.Content[j+1].Value + ")"
			}
		}
	}
	return p
}

type jsonField struct {
	name  string
	index []int
}

// jsonFields lists a struct's JSON field names in declaration order, with the
// fields of embedded structs (IngressRule's Traffic) in place.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case f.Anonymous && name == "":
			for _, e := range jsonFields(f.Type) {
				e.index = append([]int{i}, e.index...)
				out = append(out, e)
			}
		default:
			out = append(out, jsonField{cmp.Or(name, f.Name), []int{i}})
		}
	}
	return out
}
