package guard

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
)

// EC2's rules for what the component creates (EC2 API reference:
// CreateSecurityGroup, SecurityGroupRule and Tag).
var (
	// textChars are the characters of group names, group descriptions and
	// rule descriptions; & included (the provider's
	// validSecurityGroupRuleDescription allows it, and EC2 does).
	textChars = charset("._-:/()#,@[]+=&;{}!$* ")
)

// chars is a set of ASCII characters; letters and digits are always in it.
type chars [128]bool

func charset(punct string) *chars {
	var c chars
	for b := range c {
		r := rune(b)
		c[b] = 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune(punct, r)
	}
	return &c
}

// MatchString reports whether every byte of s is in the set.
func (c *chars) MatchString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 128 || !c[s[i]] {
			return false
		}
	}
	return true
}

const (
	// MaxText is EC2's length limit on group names and descriptions and on
	// rule descriptions.
	MaxText = 255
	// MaxTags is EC2's limit on tags per resource, the component's included.
	MaxTags = 50
	// MaxTagKey and MaxTagValue are EC2's limits, in Unicode characters.
	MaxTagKey   = 127
	MaxTagValue = 256
	// reservedName is the name of every VPC's default group; EC2 refuses it.
	reservedName = "default"
)

const textCharsText = "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*"

// ec2Names checks the groups' names as EC2 will see them, prefix included:
// not starting with sg-, not the reserved "default", and unique per VPC,
// which EC2 judges case-insensitively. (validate has already checked each
// declared name's characters and length, and exact duplicates.)
func (g *guard) ec2Names(groups []rule.Group) {
	prefix := strings.ToLower(g.m.NamePrefix)
	if strings.HasPrefix(prefix, "sg-") {
		g.out.Add(finding.CheckInvalidName, "", "namePrefix", "choose a prefix that does not start with sg-; EC2 reserves it for group ids",
			"namePrefix %q makes every group name start with sg-", g.m.NamePrefix)
	}
	seen := map[string]rule.Group{}
	for _, gr := range groups {
		lower := strings.ToLower(gr.Name)
		switch {
		case !textChars.MatchString(gr.Name) || len(gr.Name) > MaxText:
			g.out.Add(finding.CheckInvalidName, gr.Service, "", "use at most 255 "+textCharsText,
				"group name %q is not one EC2 accepts", gr.Name)
		case lower == reservedName:
			g.out.Add(finding.CheckInvalidName, gr.Service, "", "rename the service or set a namePrefix; every VPC already has its default group",
				"group name %q is reserved by EC2", gr.Name)
		case strings.HasPrefix(lower, "sg-") && !strings.HasPrefix(prefix, "sg-") && !strings.HasPrefix(strings.ToLower(gr.Service), "sg-"):
			g.out.Add(finding.CheckInvalidName, gr.Service, "", "change the namePrefix or the service name; EC2 reserves sg- for group ids",
				"group name %q (namePrefix and service name together) starts with sg-", gr.Name)
		}
		if other, ok := seen[lower]; ok {
			g.out.Add(finding.CheckDuplicateName, gr.Service, "", fmt.Sprintf("rename %q or %q; EC2 compares group names case-insensitively", other.Service, gr.Service),
				"group name %q clashes with %q in the same VPC", gr.Name, other.Name)
		} else {
			seen[lower] = gr
		}
	}
}

// ec2Text checks what EC2 would refuse at create time: group descriptions,
// rule descriptions (each declared one, at its rule; then, as a backstop, the
// descriptions the projection composes) and tags.
func (g *guard) ec2Text(groups []rule.Group, rules []rule.Rule) {
	badDecl := map[flow.Origin]bool{}
	for _, s := range g.m.Services {
		check := func(o flow.Origin, desc string) {
			if len(desc) > MaxText || !textChars.MatchString(desc) {
				badDecl[o] = true
				g.out.Add(finding.CheckInvalidText, s.Name, o.Rule, "use at most 255 "+textCharsText,
					"description %q is not one EC2 accepts for a rule", desc)
			}
		}
		for i, r := range s.Ingress {
			check(flow.At(s.Name, flow.Ingress, i), r.Description)
		}
		for i, r := range s.Egress {
			check(flow.At(s.Name, flow.Egress, i), r.Description)
		}
	}
	for _, r := range rules {
		if len(r.Description) <= MaxText && textChars.MatchString(r.Description) {
			continue
		}
		if slices.ContainsFunc(r.Sources, func(s rule.Source) bool { return badDecl[s.Origin] }) {
			continue // already reported where it was written
		}
		g.out.Add(finding.CheckInvalidText, r.Service, "", "set a description on the rule that yields it, of "+textCharsText,
			"rule %s would get the description %q, which EC2 refuses", r.Key, r.Description)
	}
	for _, gr := range groups {
		switch {
		case len(gr.Description) > MaxText:
			g.out.Add(finding.CheckInvalidText, gr.Service, "",
				fmt.Sprintf("shorten the group name (namePrefix and service name) to at most %d characters", MaxText-(len(gr.Description)-len(gr.Name))),
				"the group name's %d characters make the group description %d characters long, over EC2's %d", len(gr.Name), len(gr.Description), MaxText)
		case !textChars.MatchString(gr.Description):
			g.out.Add(finding.CheckInvalidText, gr.Service, "", "use letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* in the group name",
				"group description %q is not one EC2 accepts", gr.Description)
		}
	}
	g.tags(groups)
}

// componentTags are the tags rule.Groups sets on every group (Description
// only when the service has one).
var componentTags = []string{"Description", "ManagedBy", "Name", "Service", "Tier"}

// tags checks the mesh's tags and each group's tag set as emitted.
func (g *guard) tags(groups []rule.Group) {
	for _, k := range slices.Sorted(maps.Keys(g.m.Tags)) {
		v := g.m.Tags[k]
		switch n := utf8.RuneCountInString(k); {
		case n == 0 || n > MaxTagKey:
			g.out.Add(finding.CheckInvalidTag, "", "tags", fmt.Sprintf("use keys of 1 to %d characters", MaxTagKey),
				"tag key %q has %d characters", k, n)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			g.out.Add(finding.CheckInvalidTag, "", "tags", "rename it; the aws: prefix is reserved", "tag key %q starts with aws:", k)
		case slices.Contains(componentTags, k):
			g.out.Add(finding.CheckInvalidTag, "", "tags", "rename it; the component sets this tag on every group", "tag key %q is the component's own", k)
		case utf8.RuneCountInString(v) > MaxTagValue:
			g.out.Add(finding.CheckInvalidTag, "", "tags", fmt.Sprintf("shorten it to %d characters", MaxTagValue),
				"tag %q has a value of %d characters", k, utf8.RuneCountInString(v))
		}
	}
	for _, s := range g.m.Services {
		if n := utf8.RuneCountInString(s.Description); n > MaxTagValue {
			g.out.Add(finding.CheckInvalidTag, s.Name, "", fmt.Sprintf("shorten the service's description to %d characters", MaxTagValue),
				"the service's description is %d characters, over the %d of the Description tag it is kept in", n, MaxTagValue)
		}
	}
	// Tag counts: the mesh's tags plus the component's 4 or 5, reported once,
	// on the group that carries the most.
	most := rule.Group{}
	for _, gr := range groups {
		if len(gr.Tags) > len(most.Tags) {
			most = gr
		}
	}
	if len(most.Tags) > MaxTags {
		own := 0
		for _, k := range componentTags {
			if _, ok := most.Tags[k]; ok {
				own++
			}
		}
		g.out.Add(finding.CheckInvalidTag, "", "tags", fmt.Sprintf("use at most %d tags (the component adds %d of EC2's %d)", MaxTags-own, own, MaxTags),
			"group %s would carry %d tags, more than EC2's %d", most.Name, len(most.Tags), MaxTags)
	}
}
