// Package yamlprogram reads a ServiceMesh declaration out of a Pulumi YAML
// program: the properties of its one resource of type
// servicemesh:index:ServiceMesh, so YAML users review the program they run
// (`servicemesh plan Pulumi.yaml`) rather than a copy of it. It parses text
// only and imports nothing from Pulumi.
package yamlprogram

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// ResourceType is the ServiceMesh component's type token, as a program names it.
const ResourceType = "servicemesh:index:ServiceMesh"

// IsProgram reports whether data is a Pulumi project file rather than a
// declaration: its top level has runtime: or resources:, which no
// declaration has.
func IsProgram(data []byte) bool {
	var doc yamlv3.Node
	if yamlv3.Unmarshal(data, &doc) != nil {
		return false
	}
	top := mapping(&doc)
	return top != nil && (value(top, "runtime") != nil || value(top, "resources") != nil)
}

// Mesh decodes the properties of the program's one ServiceMesh resource, with
// spec.Decode, whose errors keep the program file's line numbers. Values a
// program may take from elsewhere are resolved as the component would see
// them before they are known: an interpolated vpcId or external group id is
// left unset (the plan never needs it), an interpolated cidrBlocksFrom list
// is unknown (spec.Mesh.Unknown: the checks that need it wait). Any other
// ${...} is an error naming each one, since its value decides the plan.
func Mesh(data []byte) (spec.Mesh, error) {
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal(data, &doc); err != nil {
		return spec.Mesh{}, fmt.Errorf("reading Pulumi YAML program: %w", err)
	}
	top := mapping(&doc)
	if top == nil {
		return spec.Mesh{}, errors.New("reading Pulumi YAML program: the file is not a mapping")
	}
	if rt := value(top, "runtime"); rt != nil {
		name := rt.Value
		if rt.Kind == yamlv3.MappingNode {
			if n := value(rt, "name"); n != nil {
				name = n.Value
			}
		}
		if name != "yaml" {
			return spec.Mesh{}, fmt.Errorf("this is a Pulumi project with runtime %q, whose program is not in this file; "+
				"fix: plan the declaration file the program reads (see the README's \"Use\" section)", name)
		}
	}
	name, props, err := meshResource(top)
	if err != nil {
		return spec.Mesh{}, err
	}
	where := fmt.Sprintf("resource %q", name)
	found := interpolations(props, "")
	var refused []string
	for _, i := range found {
		if i.kind == refuse {
			refused = append(refused, fmt.Sprintf("  %s (line %d): %s", i.path, i.node.Line, i.node.Value))
		}
	}
	if len(refused) > 0 {
		return spec.Mesh{}, fmt.Errorf("%s: servicemesh plan cannot resolve %d interpolation(s) in the properties:\n%s\n"+
			"fix: write these values in the program (only vpcId, externalGroups[].securityGroupId and cidrBlocksFrom may come from "+
			"another resource or the stack's config), or plan a declaration file instead",
			where, len(refused), strings.Join(refused, "\n"))
	}
	// A whole cidrBlocksFrom list from an output is a string where a list
	// goes: the decoder is given an empty list in its place.
	var emptied []*yamlv3.Node
	for _, i := range found {
		if i.kind == unknownList && i.whole {
			emptied = append(emptied, i.node)
		}
	}
	m, err := spec.Decode(declaration(data, props, emptied))
	if err != nil {
		return spec.Mesh{}, fmt.Errorf("%s: %w", where, err)
	}
	for _, i := range found {
		switch {
		case i.path == "vpcId":
			m.VpcID = ""
		case i.kind == unknownList:
			list := spec.ListID(i.list[0], i.list[1])
			if !slices.Contains(m.Unknown, list) {
				m.Unknown = append(m.Unknown, list)
			}
			for k := range m.Tiers {
				if i.list == [2]string{"tier", m.Tiers[k].Name} {
					m.Tiers[k].CidrBlocksFrom = nil
				}
			}
			for k := range m.Networks {
				if i.list == [2]string{"network", m.Networks[k].Name} {
					m.Networks[k].CidrBlocksFrom = nil
				}
			}
		case i.kind == opaque:
			for k := range m.ExternalGroups {
				if m.ExternalGroups[k].SecurityGroupID == i.node.Value {
					m.ExternalGroups[k].SecurityGroupID = ""
				}
			}
		}
	}
	return m, nil
}

// meshResource finds the one resource of ResourceType and its properties.
func meshResource(top *yamlv3.Node) (string, *yamlv3.Node, error) {
	resources := value(top, "resources")
	if resources == nil || resources.Kind != yamlv3.MappingNode {
		return "", nil, fmt.Errorf("the program declares no resources; fix: add one of type %s, or plan a declaration file", ResourceType)
	}
	var names []string
	var name string
	var found *yamlv3.Node
	for i := 0; i+1 < len(resources.Content); i += 2 {
		r := resources.Content[i+1]
		if t := value(r, "type"); t != nil && t.Value == ResourceType {
			names = append(names, fmt.Sprintf("%q (line %d)", resources.Content[i].Value, resources.Content[i].Line))
			name, found = resources.Content[i].Value, r
		}
	}
	switch len(names) {
	case 0:
		return "", nil, fmt.Errorf("the program has no resource of type %s; fix: plan the program that declares the mesh, or its declaration file", ResourceType)
	case 1:
	default:
		return "", nil, fmt.Errorf("the program has %d resources of type %s: %s; fix: plan each from a declaration file of its own",
			len(names), ResourceType, strings.Join(names, ", "))
	}
	props := value(found, "properties")
	if props == nil || props.Kind != yamlv3.MappingNode {
		return "", nil, fmt.Errorf("resource %q has no properties: mapping; fix: declare the mesh's tiers and services under properties:", name)
	}
	return name, props, nil
}

// How an interpolated value is resolved.
type resolution int

const (
	refuse      resolution = iota // its value decides the plan
	opaque                        // vpcId, an external group's id: the plan never needs them
	unknownList                   // cidrBlocksFrom: unknown, as at a first preview
)

type interpolation struct {
	path  string
	node  *yamlv3.Node
	kind  resolution
	list  [2]string // for unknownList: kind and name of the tier or network
	whole bool      // the whole list is one interpolation
}

// interpolations lists the scalars under n that hold ${...} (not the escaped
// $${...}), in document order, each with how it resolves.
func interpolations(n *yamlv3.Node, path string) []interpolation {
	var out []interpolation
	switch n.Kind {
	case yamlv3.ScalarNode:
		if strings.Contains(strings.ReplaceAll(n.Value, "$${", ""), "${") {
			out = append(out, interpolation{path: path, node: n, kind: resolve(path)})
		}
	case yamlv3.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			child := n.Content[i].Value
			if path != "" {
				child = path + "." + child
			}
			out = append(out, interpolations(n.Content[i+1], child)...)
		}
		// cidrBlocksFrom belongs to the tier or network whose mapping this is.
		if from := value(n, "cidrBlocksFrom"); from != nil {
			kind, nameNode := listKind(path), value(n, "name")
			for k := range out {
				if out[k].kind == unknownList && nameNode != nil && kind != "" {
					out[k].list = [2]string{kind, nameNode.Value}
					out[k].whole = out[k].node == from
				}
			}
		}
	case yamlv3.SequenceNode:
		for i, item := range n.Content {
			out = append(out, interpolations(item, path+"["+strconv.Itoa(i)+"]")...)
		}
	case yamlv3.AliasNode:
		out = append(out, interpolations(n.Alias, path)...)
	}
	return out
}

// resolve says how the value at path (tiers[0].cidrBlocksFrom[1]) resolves.
func resolve(path string) resolution {
	segments := strings.Split(path, ".")
	last := segments[len(segments)-1]
	if i := strings.IndexByte(last, '['); i >= 0 && len(segments) == 2 {
		last = last[:i]
	}
	switch {
	case path == "vpcId":
		return opaque
	case len(segments) == 2 && strings.HasPrefix(segments[0], "externalGroups[") && last == "securityGroupId":
		return opaque
	case len(segments) == 2 && listKind(segments[0]) != "" && last == "cidrBlocksFrom":
		return unknownList
	}
	return refuse
}

// listKind is "tier" or "network" for a path tiers[i] or networks[i].
func listKind(path string) string {
	switch {
	case strings.HasPrefix(path, "tiers[") && !strings.Contains(path, "."):
		return "tier"
	case strings.HasPrefix(path, "networks[") && !strings.Contains(path, "."):
		return "network"
	}
	return ""
}

// declaration is the properties mapping as a document of its own, with each
// scalar in emptied replaced by an empty list. A block mapping keeps its
// place: every other line of the program is blanked and the block
// unindented, so the decoder's line numbers are the program's.
func declaration(data []byte, props *yamlv3.Node, emptied []*yamlv3.Node) []byte {
	lines := strings.Split(string(data), "\n")
	block := props.Style&yamlv3.FlowStyle == 0 && len(props.Content) > 0
	for _, n := range emptied {
		l := lines[n.Line-1]
		end, ok := scalarEnd(l, n.Column-1, n.Value)
		block = block && ok
		if ok {
			lines[n.Line-1] = l[:n.Column-1] + "[]" + l[end:]
		}
		n.Kind, n.Tag, n.Value, n.Style = yamlv3.SequenceNode, "!!seq", "", yamlv3.FlowStyle
	}
	if !block {
		out, err := yamlv3.Marshal(props)
		if err != nil { // a node that was just parsed
			panic("re-encoding a program's properties: " + err.Error())
		}
		return out
	}
	first, indent := props.Content[0].Line-1, props.Content[0].Column-1
	for i := range lines {
		if i < first {
			lines[i] = ""
			continue
		}
		l := lines[i]
		blank := strings.TrimSpace(l) == ""
		comment := strings.HasPrefix(strings.TrimSpace(l), "#")
		lead := len(l) - len(strings.TrimLeft(l, " "))
		switch {
		case blank || (comment && lead < indent):
			lines[i] = ""
		case lead < indent:
			return []byte(strings.Join(lines[:i], "\n") + "\n")
		default:
			lines[i] = l[indent:]
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// scalarEnd is where the one-line scalar value starting at start of line l
// ends, if it can tell: a quoted scalar ends at its closing quote, a plain
// one holds exactly its value.
func scalarEnd(l string, start int, value string) (int, bool) {
	if start >= len(l) {
		return 0, false
	}
	switch q := l[start]; q {
	case '"', '\'':
		if i := strings.IndexByte(l[start+1:], q); i >= 0 && l[start+1:start+1+i] == value {
			return start + 2 + i, true
		}
		return 0, false
	}
	if strings.HasPrefix(l[start:], value) {
		return start + len(value), true
	}
	return 0, false
}

// mapping is the document's top-level mapping, or nil.
func mapping(doc *yamlv3.Node) *yamlv3.Node {
	n := doc
	if n.Kind == yamlv3.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yamlv3.MappingNode {
		return nil
	}
	return n
}

// value is the value of key in mapping m, or nil.
func value(m *yamlv3.Node, key string) *yamlv3.Node {
	if m == nil || m.Kind != yamlv3.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
