package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/review"
)

// stdin is where preview-summary reads the preview; tests replace it.
var stdin io.Reader = os.Stdin

// componentType is the ServiceMesh's type token: its children's URNs carry
// it as their parent type.
const componentType = "servicemesh:index:ServiceMesh"

// unknown is the engine's placeholder for a value known only after apply
// (plugin.UnknownStringValue), as `pulumi preview --json` prints it.
const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

// previewJSON is the part of `pulumi preview --json` the summary reads.
type previewJSON struct {
	// Steps is nil when the input has none at all: not a preview.
	Steps *[]struct {
		Op           string                           `json:"op"`
		URN          string                           `json:"urn"`
		OldState     *stateJSON                       `json:"oldState"`
		NewState     *stateJSON                       `json:"newState"`
		DetailedDiff map[string]struct{ Kind string } `json:"detailedDiff"`
	} `json:"steps"`
	Diagnostics []struct {
		Message  string `json:"message"`
		Severity string `json:"severity"`
	} `json:"diagnostics"`
}

type stateJSON struct {
	Type   string         `json:"type"`
	Inputs map[string]any `json:"inputs"`
	// PropertyDependencies name, per input, the resources its value comes
	// from: a rule's securityGroupId, its group's URN.
	PropertyDependencies map[string][]string `json:"propertyDependencies"`
}

// errNoPreview: the input does not say what the preview does, so the
// summary must not say anything is safe.
var errNoPreview = errors.New("no preview to summarise")

// runPreviewSummary is `servicemesh preview-summary`: the Markdown review of
// the ServiceMesh children in a `pulumi preview --json` read from in.
func runPreviewSummary(args []string, in io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		return usageError(stderr, "preview-summary reads `pulumi preview --json` on stdin and takes no arguments; got %q", args)
	}
	data, err := io.ReadAll(io.LimitReader(in, maxPreviewBytes+1))
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh: reading the preview: %v\n", err)
		return exitNoPreview
	}
	r, err := previewReview(data)
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh: preview-summary: %v\n", err)
		return exitNoPreview
	}
	fmt.Fprint(stdout, r.Markdown(review.CommentLimit))
	return exitOK
}

// maxPreviewBytes bounds the preview read: a stack of thousands of
// resources prints a few MB of JSON.
const maxPreviewBytes = 256 << 20

// previewReview reads a preview's steps into a review of the mesh's
// children. A failed, empty or unreadable preview, or one that lists no
// ServiceMesh, is an error wrapping errNoPreview that says why.
func previewReview(data []byte) (review.Review, error) {
	if len(data) > maxPreviewBytes {
		return review.Review{}, fmt.Errorf("%w: the input is over %d MiB", errNoPreview, maxPreviewBytes>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return review.Review{}, fmt.Errorf("%w: the input is empty; did `pulumi preview --json` fail? (run the pipe under `set -o pipefail` to fail with it)", errNoPreview)
	}
	var p previewJSON
	if err := json.Unmarshal(data, &p); err != nil {
		return review.Review{}, fmt.Errorf("%w: not the output of `pulumi preview --json`: %w", errNoPreview, err)
	}
	var failed []string
	for _, d := range p.Diagnostics {
		if d.Severity == "error" {
			failed = append(failed, strings.TrimSpace(d.Message))
		}
	}
	if len(failed) > 0 {
		return review.Review{}, fmt.Errorf("%w: the preview failed, so what it would change is not known: %s", errNoPreview, strings.Join(failed, "; "))
	}
	if p.Steps == nil {
		return review.Review{}, fmt.Errorf("%w: not the output of `pulumi preview --json`: it lists no steps", errNoPreview)
	}
	byName := map[string]plandiff.Change{}
	groupOf := map[string]string{}
	var groups []string
	mesh := false
	for _, s := range *p.Steps {
		parent, typ, name, ok := splitURN(s.URN)
		mesh = mesh || ok && (parent == componentType || typ == componentType)
		if !ok || parent != componentType || !slices.Contains(childTypes, typ) {
			continue
		}
		if typ == resources.GroupType {
			groups = append(groups, name)
		}
		op, ok := stepOps[s.Op]
		if !ok {
			continue // same, read, refresh: nothing changes
		}
		state := cmp.Or(s.NewState, s.OldState)
		if state == nil {
			return review.Review{}, fmt.Errorf("%w: step %s %s has no state", errNoPreview, s.Op, s.URN)
		}
		c := plandiff.Change{Op: op, Type: typ, Name: name, About: about(typ, state.Inputs)}
		for _, k := range slices.Sorted(maps.Keys(s.DetailedDiff)) {
			c.Fields = append(c.Fields, fields(k, inputs(s.OldState)[k], inputs(s.NewState)[k],
				strings.HasSuffix(s.DetailedDiff[k].Kind, "-replace"))...)
		}
		// An update's replacement comes as two steps (create-replacement,
		// delete-replaced): one replace, with the inputs the first names.
		if prev, ok := byName[name]; ok && len(prev.Fields) >= len(c.Fields) {
			continue
		}
		byName[name] = c
		groupOf[name] = ruleGroup(s.NewState, s.OldState)
	}
	if !mesh {
		return review.Review{}, fmt.Errorf("%w: the preview lists no ServiceMesh; if the program has one and nothing in it changes, "+
			"`pulumi preview --json` lists it only with --show-sames", errNoPreview)
	}
	r := review.Review{Title: "`pulumi preview`: the ServiceMesh's security groups and rules", GroupOf: map[string]string{}}
	for name, c := range byName {
		r.Changes = append(r.Changes, c)
		r.GroupOf[name] = cmp.Or(groupOf[name], longestGroup(c, groups))
	}
	plandiff.SortChanges(r.Changes)
	return r, nil
}

// childTypes are the mesh's children a review lists: the security groups
// and their rules, the network ACLs and theirs.
var childTypes = []string{resources.GroupType, resources.RuleType, resources.NetworkACLType, resources.NetworkACLRuleType}

// stepOps maps the engine's step ops to what they do to a resource.
var stepOps = map[string]plandiff.Op{
	"create": plandiff.Create, "delete": plandiff.Delete, "update": plandiff.Update,
	"replace": plandiff.Replace, "create-replacement": plandiff.Replace, "delete-replaced": plandiff.Replace,
}

// splitURN splits urn:pulumi:STACK::PROJECT::PARENT$TYPE::NAME.
func splitURN(urn string) (parent, typ, name string, ok bool) {
	parts := strings.SplitN(urn, "::", 4)
	if len(parts) != 4 {
		return "", "", "", false
	}
	types := strings.Split(parts[2], "$")
	if len(types) < 2 {
		return "", "", "", false
	}
	return types[len(types)-2], types[len(types)-1], parts[3], true
}

// ruleGroup is the name of the group (or network ACL) a rule belongs to,
// from the engine's record of where its securityGroupId (networkAclId)
// comes from: the group's (ACL's) URN.
func ruleGroup(states ...*stateJSON) string {
	for _, st := range states {
		if st == nil {
			continue
		}
		for input, parentType := range map[string]string{"securityGroupId": resources.GroupType, "networkAclId": resources.NetworkACLType} {
			for _, urn := range st.PropertyDependencies[input] {
				if _, typ, name, ok := splitURN(urn); ok && typ == parentType {
					return name
				}
			}
		}
	}
	return ""
}

// longestGroup is the name of the group a child belongs to when the
// preview records no dependency: a group itself; a rule, the longest name
// of the preview's groups it extends, or else its own name.
func longestGroup(c plandiff.Change, groups []string) string {
	if c.Type == resources.GroupType || c.Type == resources.NetworkACLType {
		return c.Name
	}
	best := ""
	for _, g := range groups {
		if strings.HasPrefix(c.Name, g+"-") && len(g) > len(best) {
			best = g
		}
	}
	return cmp.Or(best, c.Name)
}

// about says what a child is from its inputs: "group MySQL (tier data)",
// "rule: ingress tcp/3306: MySQL from CustomerManagement-API".
func about(typ string, in map[string]any) string {
	tags, _ := in["tags"].(map[string]any)
	switch typ {
	case resources.GroupType:
		return fmt.Sprintf("group %v (tier %v)", tags["Service"], tags["Tier"])
	case resources.NetworkACLType:
		return fmt.Sprintf("network ACL of tier %v", tags["Tier"])
	case resources.NetworkACLRuleType:
		dir := "ingress"
		if egress, _ := in["egress"].(bool); egress {
			dir = "egress"
		}
		r := rangeOf(in)
		if r.Protocol == ports.ICMP || r.Protocol == ports.ICMPv6 {
			typ, _ := in["icmpType"].(float64)
			code, _ := in["icmpCode"].(float64)
			r.From, r.To = int(typ), int(code)
		}
		return fmt.Sprintf("network ACL rule: %s #%v %s %v", dir, in["ruleNumber"], r, cmp.Or(in["cidrBlock"], in["ipv6CidrBlock"]))
	}
	ports := rangeOf(in).String()
	s := fmt.Sprintf("rule: %v %s", in["type"], ports)
	if d, ok := in["description"].(string); ok && d != "" {
		s += ": " + d
	}
	return s
}

// rangeOf is a rule's protocol and ports, as package ports writes them.
func rangeOf(in map[string]any) ports.Range {
	proto, _ := in["protocol"].(string)
	if p, err := ports.ParseProtocol(proto); err == nil {
		proto = p
	}
	from, _ := in["fromPort"].(float64)
	to, _ := in["toPort"].(float64)
	return ports.Range{Protocol: proto, From: int(from), To: int(to)}
}

func inputs(s *stateJSON) map[string]any {
	if s == nil {
		return nil
	}
	return s.Inputs
}

// fields are the differences in one input: the input itself, or each key
// of a map that differs (tags.Name), as plan --diff lists tags.
func fields(name string, old, new any, replaces bool) []plandiff.Field {
	o, oMap := old.(map[string]any)
	n, nMap := new.(map[string]any)
	if !oMap || !nMap {
		return []plandiff.Field{{Name: name, Old: text(old), New: text(new), Replaces: replaces}}
	}
	var out []plandiff.Field
	keys := slices.AppendSeq(slices.Collect(maps.Keys(o)), maps.Keys(n))
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if text(o[k]) != text(n[k]) {
			out = append(out, plandiff.Field{Name: name + "." + k, Old: text(o[k]), New: text(n[k]), Replaces: replaces})
		}
	}
	return out
}

// text is an input's value as text; a value known only after apply says so.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		if v == unknown {
			return "unknown until applied"
		}
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
