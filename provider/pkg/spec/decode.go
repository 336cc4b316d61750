package spec

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/internal/suggest"
)

// Decode reads a declaration from YAML or JSON. Unknown fields are errors, so a
// misspelt field never silently drops a rule; the error says where, on which
// line, and which field was probably meant.
func Decode(data []byte) (Mesh, error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return Mesh{}, fmt.Errorf("reading service mesh declaration: %w", err)
	}
	m, err := decodeJSON(js)
	if err != nil {
		return Mesh{}, located(err, data, true)
	}
	return m, nil
}

// DecodeJSON reads a declaration from JSON, strictly. An unknown field's error
// says where it is, without a line (this JSON is made by a program, such as the
// Pulumi engine from a program's inputs).
func DecodeJSON(data []byte) (Mesh, error) {
	m, err := decodeJSON(data)
	if err != nil {
		return Mesh{}, located(err, data, false)
	}
	return m, nil
}

func decodeJSON(data []byte) (Mesh, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Mesh
	if err := dec.Decode(&m); err != nil {
		return Mesh{}, err
	}
	if dec.More() {
		return Mesh{}, fmt.Errorf("trailing data after the declaration")
	}
	return m, nil
}

// located words a decoding error for a reader. encoding/json names an unknown
// field but not where it is, so the source (YAML or JSON, which YAML reads
// too) is walked against Mesh's fields to find it.
func located(err error, source []byte, lines bool) error {
	const prefix = "reading service mesh declaration: "
	if !strings.HasPrefix(err.Error(), "json: unknown field ") {
		return fmt.Errorf(prefix+"%w", err)
	}
	var doc yamlv3.Node
	if yamlv3.Unmarshal(source, &doc) != nil {
		return fmt.Errorf(prefix+"%w", err)
	}
	u := firstUnknown(&doc, reflect.TypeFor[Mesh](), "")
	if u == nil {
		return fmt.Errorf(prefix+"%w", err)
	}
	where := u.path
	if where == "" {
		where = "the declaration"
	}
	if lines {
		where += " (line " + strconv.Itoa(u.line) + ")"
	}
	fix := "valid fields here: " + strings.Join(u.valid, ", ")
	if c, ok := suggest.Closest(u.field, u.valid); ok {
		fix = fmt.Sprintf("did you mean %q?", c)
	}
	return fmt.Errorf(prefix+"%s: unknown field %q; %s", where, u.field, fix)
}

// unknownField is a mapping key that names no field of its object.
type unknownField struct {
	path, field string
	line        int
	valid       []string
}

// firstUnknown walks n as a value of type t and returns the first key, in
// document order, that t has no field for. Keys match fields as encoding/json
// matches them (case-insensitively). path names n: services[0] (api).ingress[1].
func firstUnknown(n *yamlv3.Node, t reflect.Type, path string) *unknownField {
	for n.Kind == yamlv3.DocumentNode || n.Kind == yamlv3.AliasNode {
		if n.Kind == yamlv3.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			return nil
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yamlv3.MappingNode:
		fields := jsonFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Tag == "!!merge" { // <<: *defaults merges another mapping's keys here
				merged := n.Content[i+1]
				if merged.Kind != yamlv3.SequenceNode {
					merged = &yamlv3.Node{Kind: yamlv3.SequenceNode, Content: []*yamlv3.Node{merged}}
				}
				for _, m := range merged.Content {
					if u := firstUnknown(m, t, path); u != nil {
						return u
					}
				}
				continue
			}
			j := slices.IndexFunc(fields, func(f field) bool { return strings.EqualFold(f.name, k.Value) })
			if j < 0 {
				valid := make([]string, len(fields))
				for i, f := range fields {
					valid[i] = f.name
				}
				return &unknownField{path: path, field: k.Value, line: k.Line, valid: valid}
			}
			child := fields[j].name
			if path != "" {
				child = path + "." + child
			}
			if u := firstUnknown(n.Content[i+1], fields[j].typ, child); u != nil {
				return u
			}
		}
	case t.Kind() == reflect.Slice && n.Kind == yamlv3.SequenceNode:
		for i, item := range n.Content {
			if u := firstUnknown(item, t.Elem(), itemPath(path, i, item)); u != nil {
				return u
			}
		}
	}
	return nil
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

type field struct {
	name string
	typ  reflect.Type
}

// jsonFields lists a struct's JSON field names in declaration order, with the
// fields of embedded structs (IngressRule's Traffic) in place.
func jsonFields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case f.Anonymous && name == "":
			out = append(out, jsonFields(f.Type)...)
		default:
			out = append(out, field{cmp.Or(name, f.Name), f.Type})
		}
	}
	return out
}
