package provider_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	servicemesh "github.com/pulumi-servicemesh/pulumi-servicemesh"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/component"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/guard"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/provider"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

type property struct {
	Type                 string    `json:"type"`
	Ref                  string    `json:"$ref"`
	Items                *property `json:"items"`
	AdditionalProperties *property `json:"additionalProperties"`
}

type objectType struct {
	Type       string              `json:"type"`
	Properties map[string]property `json:"properties"`
	Required   []string            `json:"required"`
}

type packageSchema struct {
	Version   string                `json:"version"`
	Types     map[string]objectType `json:"types"`
	Resources map[string]struct {
		InputProperties map[string]property `json:"inputProperties"`
		Properties      map[string]property `json:"properties"`
		Required        []string            `json:"required"`
	} `json:"resources"`
}

func loadSchema(t *testing.T) packageSchema {
	var s packageSchema
	require.NoError(t, json.Unmarshal(servicemesh.Schema, &s))
	return s
}

// jsonFields lists a struct's properties by json name, through embedded structs.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		if name != "" && name != "-" {
			out[name] = f.Type
		}
	}
	return out
}

// agree checks that a Go type and a schema property describe the same value,
// recursing into object types property by property, both ways.
func agree(t *testing.T, s packageSchema, path string, goType reflect.Type, p property) {
	t.Helper()
	for goType.Kind() == reflect.Pointer {
		goType = goType.Elem()
	}
	if p.Ref != "" {
		typ, ok := s.Types[strings.TrimPrefix(p.Ref, "#/types/")]
		require.True(t, ok, "%s: schema references missing type %s", path, p.Ref)
		if typ.Type == "string" { // an enum
			assert.Equal(t, reflect.String, goType.Kind(), "%s: enum must be a Go string type", path)
			return
		}
		require.Equal(t, reflect.Struct, goType.Kind(), "%s: object type needs a Go struct", path)
		agreeObject(t, s, path, goType, typ.Properties)
		return
	}
	kinds := map[reflect.Kind]string{reflect.String: "string", reflect.Int: "integer", reflect.Bool: "boolean",
		reflect.Slice: "array", reflect.Map: "object"}
	assert.Equal(t, kinds[goType.Kind()], p.Type, "%s: Go %v vs schema %q", path, goType, p.Type)
	switch {
	case goType.Kind() == reflect.Slice && p.Items != nil:
		agree(t, s, path+"[]", goType.Elem(), *p.Items)
	case goType.Kind() == reflect.Map && p.AdditionalProperties != nil:
		agree(t, s, path+"{}", goType.Elem(), *p.AdditionalProperties)
	}
}

func agreeObject(t *testing.T, s packageSchema, path string, goType reflect.Type, props map[string]property) {
	t.Helper()
	fields := jsonFields(goType)
	for name, typ := range fields {
		p, ok := props[name]
		if assert.True(t, ok, "%s.%s is in Go (%v) but not in schema.json", path, name, goType) {
			agree(t, s, path+"."+name, typ, p)
		}
	}
	for name := range props {
		_, ok := fields[name]
		assert.True(t, ok, "%s.%s is in schema.json but not in Go (%v)", path, name, goType)
	}
}

func TestSchemaInputsMatchSpec(t *testing.T) {
	s := loadSchema(t)
	res := s.Resources[component.Type]
	agreeObject(t, s, "ServiceMesh", reflect.TypeFor[spec.Mesh](), res.InputProperties)
	assert.Equal(t, slices.Sorted(slices.Values(provider.MeshProperties())), slices.Sorted(maps.Keys(res.InputProperties)),
		"Construct copies exactly the schema's inputs")
}

func TestSchemaOutputsMatchComponent(t *testing.T) {
	s := loadSchema(t)
	res := s.Resources[component.Type]
	ct := reflect.TypeFor[component.ServiceMesh]()
	var outputs []string
	for i := range ct.NumField() {
		if name := ct.Field(i).Tag.Get("pulumi"); name != "" {
			outputs = append(outputs, name)
		}
	}
	assert.ElementsMatch(t, outputs, slices.Collect(maps.Keys(res.Properties)), "component output fields vs schema properties")
	assert.ElementsMatch(t, outputs, res.Required, "every output is always set")

	// The plain values behind the object outputs.
	agreeObject(t, s, "RuleCount", reflect.TypeFor[plan.RuleCount](), s.Types["servicemesh:index:RuleCount"].Properties)
	agreeObject(t, s, "Flow", reflect.TypeFor[flow.Summary](), s.Types["servicemesh:index:Flow"].Properties)
	agreeObject(t, s, "QuotaUsage", reflect.TypeFor[guard.Usage](), s.Types["servicemesh:index:QuotaUsage"].Properties)
}

// One version, from schema.json, in the provider and all three SDKs.
func TestOneVersion(t *testing.T) {
	v := loadSchema(t).Version
	require.Regexp(t, regexp.MustCompile(`^\d+\.\d+\.\d+`), v)
	assert.Equal(t, v, provider.Version)
	root := filepath.Join("..", "..", "..")
	for file, pattern := range map[string]string{
		"sdk/nodejs/package.json":                          `"version": "` + regexp.QuoteMeta(v) + `"`,
		"sdk/python/pyproject.toml":                        `version = "` + regexp.QuoteMeta(v) + `"`,
		"sdk/go/servicemesh/pulumi-plugin.json":            `"version": "` + regexp.QuoteMeta(v) + `"`,
		"sdk/python/pulumi_servicemesh/pulumi-plugin.json": `"version": "` + regexp.QuoteMeta(v) + `"`,
	} {
		data, err := os.ReadFile(filepath.Join(root, file))
		require.NoError(t, err)
		assert.Regexp(t, pattern, string(data), file)
	}
}
