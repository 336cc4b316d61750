package yamlprogram

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// The YAML example's properties are examples/reference.yaml (a test in
// test/e2e keeps them so), with vpcId from the stack's config.
func TestTheYAMLExampleIsTheReference(t *testing.T) {
	program, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", "yaml", "Pulumi.yaml"))
	require.NoError(t, err)
	fixture, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", "reference.yaml"))
	require.NoError(t, err)
	want, err := spec.Decode(fixture)
	require.NoError(t, err)

	require.True(t, IsProgram(program))
	got, err := Mesh(program)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestIsProgram(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      bool
	}{
		{"a declaration", "tiers: [{name: app}]\nservices: []\n", false},
		{"a YAML project", "name: p\nruntime: yaml\nresources: {}\n", true},
		{"resources alone", "resources: {}\n", true},
		{"a TypeScript project", "name: p\nruntime: nodejs\n", true},
		{"not YAML", "{", false},
		{"a list", "- a\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, IsProgram([]byte(tc.src)))
		})
	}
}

const header = "name: p\nruntime: yaml\nconfig:\n  vpcId: {type: string}\nresources:\n"

func TestMesh(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      spec.Mesh
	}{{
		name: "config and outputs where the schema takes them",
		src: header + `  lb:
    type: aws:ec2:SecurityGroup
  mesh:
    type: servicemesh:index:ServiceMesh
    properties:
      vpcId: ${vpcId}
      tiers:
        - name: web
          cidrBlocksFrom: ${vpc.webCidrs}
        - name: app
          cidrBlocksFrom: ["${vpc.appCidr}", 10.0.2.0/24]
      externalGroups:
        - { name: lb, securityGroupId: "${lb.id}", tier: web }
      services:
        - name: Api
          tier: app
          ingress:
            - { ports: [443], from: { services: [lb] } }
outputs:
  ids: ${mesh.securityGroupIds}
`,
		want: spec.Mesh{
			Tiers:          []spec.Tier{{Name: "web"}, {Name: "app"}},
			ExternalGroups: []spec.ExternalGroup{{Name: "lb", Tier: "web"}},
			Services: []spec.Service{{Name: "Api", Tier: "app", Ingress: []spec.IngressRule{{
				Traffic: spec.Traffic{Ports: []int{443}}, From: spec.Peers{Services: []string{"lb"}}}}}},
			Unknown: []string{"tier:web", "tier:app"},
		},
	}, {
		name: "literal values, flow style, escaped $${}",
		src: header + `  mesh:
    type: servicemesh:index:ServiceMesh
    properties: {vpcId: vpc-0123456789abcdef0, tiers: [{name: app}], services: [{name: Api, tier: app, description: "costs $${x}"}]}
`,
		want: spec.Mesh{
			VpcID:    "vpc-0123456789abcdef0",
			Tiers:    []spec.Tier{{Name: "app"}},
			Services: []spec.Service{{Name: "Api", Tier: "app", Description: "costs $${x}"}},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Mesh([]byte(tc.src))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestMeshRefuses(t *testing.T) {
	mesh := "    type: servicemesh:index:ServiceMesh\n    properties:\n      tiers: [{name: app}]\n      services: []\n"
	for _, tc := range []struct {
		name, src, want string
	}{{
		name: "no mesh",
		src:  header + "  lb:\n    type: aws:ec2:SecurityGroup\n",
		want: "the program has no resource of type servicemesh:index:ServiceMesh; fix: plan the program that declares the mesh, or its declaration file",
	}, {
		name: "no resources",
		src:  "name: p\nruntime: yaml\n",
		want: "the program declares no resources; fix: add one of type servicemesh:index:ServiceMesh, or plan a declaration file",
	}, {
		name: "two meshes",
		src:  header + "  blue:\n" + mesh + "  green:\n" + mesh,
		want: `the program has 2 resources of type servicemesh:index:ServiceMesh: "blue" (line 6), "green" (line 11); fix: plan each from a declaration file of its own`,
	}, {
		name: "no properties",
		src:  header + "  mesh:\n    type: servicemesh:index:ServiceMesh\n",
		want: `resource "mesh" has no properties: mapping; fix: declare the mesh's tiers and services under properties:`,
	}, {
		name: "another language's project",
		src:  "name: p\nruntime:\n  name: nodejs\n",
		want: `this is a Pulumi project with runtime "nodejs", whose program is not in this file; fix: plan the declaration file the program reads (see the README's "Use" section)`,
	}, {
		name: "interpolations whose values decide the plan, each named",
		src: header + `  mesh:
    type: servicemesh:index:ServiceMesh
    properties:
      namePrefix: ${prefix}
      tiers: [{name: app, cidrBlocks: ["${vpc.cidr}"]}]
      services:
        - name: Api
          tier: app
          ingress:
            - { ports: [443], from: { cidrBlocks: ["${office}/32"] } }
`,
		want: `resource "mesh": servicemesh plan cannot resolve 3 interpolation(s) in the properties:
  namePrefix (line 9): ${prefix}
  tiers[0].cidrBlocks[0] (line 10): ${vpc.cidr}
  services[0].ingress[0].from.cidrBlocks[0] (line 15): ${office}/32
fix: write these values in the program (only vpcId, externalGroups[].securityGroupId and cidrBlocksFrom may come from another resource or the stack's config), or plan a declaration file instead`,
	}, {
		// The decoder's line is the program's: the properties keep their place.
		name: "a misspelt field, on the program's line",
		src:  header + "  mesh:\n    type: servicemesh:index:ServiceMesh\n    properties:\n      tiers: [{name: app}]\n      services:\n        - name: Api\n          tier: app\n          attachedwth: []\n",
		want: `resource "mesh": reading service mesh declaration: services[0] (Api) (line 13): unknown field "attachedwth"; did you mean "attachedWith"?`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Mesh([]byte(tc.src))
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// The registry page's first example is the package's point: it plans, and
// every caller is named by group (or is the internet, for the internet-facing
// load balancer), never by an address range.
func TestRegistryPageExampleNamesCallersByGroup(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "_index.md"))
	require.NoError(t, err)
	_, program, ok := strings.Cut(string(page), "```yaml\n")
	require.True(t, ok, "docs/_index.md has no YAML example")
	program, _, _ = strings.Cut(program, "```")

	m, err := Mesh([]byte(program))
	require.NoError(t, err)
	_, err = plan.Build(m)
	require.NoError(t, err)
	for _, s := range m.Services {
		for i, r := range s.Ingress {
			assert.Empty(t, r.From.CidrBlocks, "%s ingress[%d]", s.Name, i)
			assert.Empty(t, r.From.Networks, "%s ingress[%d]", s.Name, i)
			assert.Empty(t, r.From.Tiers, "%s ingress[%d]", s.Name, i)
			assert.True(t, len(r.From.Services) > 0 || r.From.Self || r.From.Internet && s.InternetFacing, "%s ingress[%d]", s.Name, i)
		}
	}
}
