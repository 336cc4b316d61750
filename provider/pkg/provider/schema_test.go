package provider_test

// These tests prove that schema.json (from which the SDKs are generated, see
// tools/gen-sdk) and the provider's Go types describe the same component,
// property by property and both ways: every Go property is in the schema and
// every schema property is in Go, with the same kind (string, integer,
// boolean, array, object, or a reference to an object or enum type), the same
// required/optional split, and, for inputs, the plainness the provider needs.
// They also prove there is one version, schema.json's, in the provider and in
// the three generated SDKs.

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

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
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
	Plain                bool      `json:"plain"`
	Description          string    `json:"description"`
}

type enumValue struct {
	Name        string `json:"name"`
	Value       string `json:"value"`
	Description string `json:"description"`
}

type objectType struct {
	Type        string              `json:"type"`
	Description string              `json:"description"`
	Properties  map[string]property `json:"properties"`
	Required    []string            `json:"required"`
	Enum        []enumValue         `json:"enum"`
}

type resourceType struct {
	IsComponent     bool                `json:"isComponent"`
	Description     string              `json:"description"`
	InputProperties map[string]property `json:"inputProperties"`
	RequiredInputs  []string            `json:"requiredInputs"`
	Properties      map[string]property `json:"properties"`
	Required        []string            `json:"required"`
}

type packageSchema struct {
	Name      string                  `json:"name"`
	Version   string                  `json:"version"`
	Types     map[string]objectType   `json:"types"`
	Resources map[string]resourceType `json:"resources"`
}

func loadSchema(t *testing.T) packageSchema {
	t.Helper()
	var s packageSchema
	require.NoError(t, json.Unmarshal(servicemesh.Schema, &s))
	return s
}

// meshResource is the component's schema entry; the schema holds no other.
func meshResource(t *testing.T, s packageSchema) resourceType {
	t.Helper()
	require.Equal(t, []string{component.Type}, slices.Collect(maps.Keys(s.Resources)))
	res := s.Resources[component.Type]
	require.True(t, res.IsComponent, "%s must be a component", component.Type)
	return res
}

// goField is one property of a Go struct: its type and whether it is
// optional (json omitempty).
type goField struct {
	typ      reflect.Type
	optional bool
}

// jsonFields lists a struct's properties by json name, through embedded
// structs (spec.Traffic in IngressRule and EgressRule).
func jsonFields(t reflect.Type) map[string]goField {
	out := map[string]goField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			maps.Copy(out, jsonFields(f.Type))
			continue
		}
		tag := strings.Split(f.Tag.Get("json"), ",")
		if tag[0] != "" && tag[0] != "-" && f.IsExported() {
			out[tag[0]] = goField{typ: f.Type, optional: slices.Contains(tag[1:], "omitempty")}
		}
	}
	return out
}

// goEnums are the Go values of each schema enum type.
var goEnums = map[reflect.Type][]string{
	reflect.TypeFor[spec.EgressPolicy](): func() (out []string) {
		for _, p := range spec.EgressPolicies {
			out = append(out, string(p))
		}
		return out
	}(),
}

// requiredOnlyInSchema are the properties the component requires although
// the shared Go type does not (the offline planner needs no VPC or ids).
var requiredOnlyInSchema = map[string]bool{"ServiceMesh.vpcId": true, "ServiceMesh.externalGroups[].securityGroupId": true}

// agree checks that a Go type and a schema property describe the same value,
// recursing into object types property by property, both ways.
func agree(t *testing.T, s packageSchema, path string, goType reflect.Type, p property) {
	t.Helper()
	for goType.Kind() == reflect.Pointer {
		goType = goType.Elem()
	}
	if p.Ref != "" {
		name, ok := strings.CutPrefix(p.Ref, "#/types/")
		require.True(t, ok, "%s: %s is not a local type reference", path, p.Ref)
		typ, ok := s.Types[name]
		require.True(t, ok, "%s: schema references missing type %s", path, p.Ref)
		if typ.Type == "string" { // an enum
			require.Equal(t, reflect.String, goType.Kind(), "%s: enum %s needs a Go string type, not %v", path, name, goType)
			values, ok := goEnums[goType]
			require.True(t, ok, "%s: no list of Go values for %v in goEnums", path, goType)
			var schemaValues []string
			for _, e := range typ.Enum {
				schemaValues = append(schemaValues, e.Value)
			}
			assert.Equal(t, values, schemaValues, "%s: enum %s values (Go vs schema)", path, name)
			return
		}
		require.Equal(t, reflect.Struct, goType.Kind(), "%s: object type %s needs a Go struct, not %v", path, name, goType)
		agreeObject(t, s, path, goType, typ.Properties, typ.Required)
		return
	}
	kinds := map[reflect.Kind]string{reflect.String: "string", reflect.Int: "integer", reflect.Bool: "boolean",
		reflect.Slice: "array", reflect.Map: "object"}
	require.Equal(t, kinds[goType.Kind()], p.Type, "%s: Go %v vs schema %q", path, goType, p.Type)
	switch goType.Kind() {
	case reflect.Slice:
		require.NotNil(t, p.Items, "%s: array without items", path)
		agree(t, s, path+"[]", goType.Elem(), *p.Items)
	case reflect.Map:
		require.Equal(t, reflect.String, goType.Key().Kind(), "%s: map keys must be strings", path)
		require.NotNil(t, p.AdditionalProperties, "%s: map without additionalProperties", path)
		agree(t, s, path+"{}", goType.Elem(), *p.AdditionalProperties)
	}
}

// agreeObject checks a Go struct against a schema object: the same property
// names both ways, each of the same kind, and required exactly where the Go
// field is not omitempty.
func agreeObject(t *testing.T, s packageSchema, path string, goType reflect.Type, props map[string]property, required []string) {
	t.Helper()
	fields := jsonFields(goType)
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		f := fields[name]
		p, ok := props[name]
		if !assert.True(t, ok, "%s.%s is in Go (%v) but not in schema.json", path, name, goType) {
			continue
		}
		agree(t, s, path+"."+name, f.typ, p)
		if !requiredOnlyInSchema[path+"."+name] {
			assert.Equal(t, !f.optional, slices.Contains(required, name),
				"%s.%s: required in schema.json iff the Go field (%v) is not omitempty", path, name, goType)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(props)) {
		_, ok := fields[name]
		assert.True(t, ok, "%s.%s is in schema.json but not in Go (%v)", path, name, goType)
	}
	for _, name := range required {
		_, ok := props[name]
		assert.True(t, ok, "%s: required property %s is not a property", path, name)
	}
}

func TestSchemaInputsMatchSpec(t *testing.T) {
	s := loadSchema(t)
	res := meshResource(t, s)
	agreeObject(t, s, "ServiceMesh", reflect.TypeFor[spec.Mesh](), res.InputProperties, res.RequiredInputs)
	assert.Contains(t, res.RequiredInputs, "vpcId")
	assert.Equal(t, slices.Sorted(slices.Values(provider.MeshProperties())), slices.Sorted(maps.Keys(res.InputProperties)),
		"Construct copies exactly the schema's inputs")
}

// vpcId, the external groups' ids and the cidrBlocksFrom lists are Pulumi
// inputs (they usually come from other resources); every other input, down
// to the leaves, is plain: the provider plans the mesh at preview, so the
// SDKs must not accept outputs there. The provider decodes exactly the
// inputs the schema marks (provider.InputPaths).
func TestSchemaInputsArePlainButTheInputPaths(t *testing.T) {
	s := loadSchema(t)
	res := meshResource(t, s)
	inputs := map[string]bool{}
	for _, p := range provider.InputPaths() {
		inputs["ServiceMesh."+p] = true
	}
	found := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(res.InputProperties)) {
		assertPlain(t, s, "ServiceMesh."+name, res.InputProperties[name], inputs, found, map[string]bool{})
	}
	assert.Equal(t, inputs, found, "the schema's non-plain inputs are the provider's input paths")
}

func assertPlain(t *testing.T, s packageSchema, path string, p property, inputs, found, seen map[string]bool) {
	t.Helper()
	if inputs[path] {
		assert.False(t, p.Plain, "%s must accept another resource's output", path)
		found[path] = true
		return
	}
	assert.True(t, p.Plain, "%s must be plain: true", path)
	switch {
	case p.Items != nil:
		assertPlain(t, s, path+"[]", *p.Items, inputs, found, seen)
	case p.AdditionalProperties != nil:
		assertPlain(t, s, path+"{}", *p.AdditionalProperties, inputs, found, seen)
	case p.Ref != "":
		name := strings.TrimPrefix(p.Ref, "#/types/")
		if seen[name] {
			return
		}
		seen[name] = true
		props := s.Types[name].Properties
		for _, k := range slices.Sorted(maps.Keys(props)) {
			assertPlain(t, s, path+"."+k, props[k], inputs, found, seen)
		}
	}
}

// outputValues are the Go values behind the component's pulumi.AnyOutput
// fields (component.New shapes them with their json tags).
var outputValues = map[string]reflect.Type{
	"ruleCounts": fieldType(reflect.TypeFor[plan.Plan](), "RuleCounts"),
	"flows":      reflect.TypeOf(flow.Summaries).Out(0),
	"quotaUsage": fieldType(reflect.TypeFor[plan.Plan](), "QuotaUsage"),
}

func fieldType(t reflect.Type, name string) reflect.Type {
	f, ok := t.FieldByName(name)
	if !ok {
		panic(t.String() + " has no field " + name)
	}
	return f.Type
}

func TestSchemaOutputsMatchComponent(t *testing.T) {
	s := loadSchema(t)
	res := meshResource(t, s)
	ct := reflect.TypeFor[component.ServiceMesh]()
	var outputs []string
	anyOutputs := map[string]bool{}
	for i := range ct.NumField() {
		f := ct.Field(i)
		name := f.Tag.Get("pulumi")
		if name == "" {
			continue
		}
		outputs = append(outputs, name)
		out, ok := reflect.Zero(f.Type).Interface().(pulumi.Output)
		require.True(t, ok, "%s (%s) is not a pulumi.Output", f.Name, name)
		goType := out.ElementType()
		if goType.Kind() == reflect.Interface { // pulumi.AnyOutput
			anyOutputs[name] = true
			if goType = outputValues[name]; goType == nil {
				t.Errorf("output %s is a pulumi.AnyOutput: add its Go value's type to outputValues", name)
				continue
			}
		}
		if p, ok := res.Properties[name]; assert.True(t, ok, "output %s is in Go but not in schema.json", name) {
			agree(t, s, "ServiceMesh."+name, goType, p)
		}
	}
	assert.ElementsMatch(t, outputs, slices.Collect(maps.Keys(res.Properties)), "component output fields vs schema properties")
	assert.ElementsMatch(t, outputs, res.Required, "every output is always set")
	for name := range outputValues {
		assert.True(t, anyOutputs[name], "outputValues lists %s, which is not a pulumi.AnyOutput output", name)
	}

	// The plain values behind the object outputs, by the names the brief and
	// the SDKs use (covered above too, through the outputs' types).
	agreeObject(t, s, "RuleCount", reflect.TypeFor[plan.RuleCount](), s.Types["servicemesh:index:RuleCount"].Properties, s.Types["servicemesh:index:RuleCount"].Required)
	agreeObject(t, s, "Flow", reflect.TypeFor[flow.Summary](), s.Types["servicemesh:index:Flow"].Properties, s.Types["servicemesh:index:Flow"].Required)
	agreeObject(t, s, "QuotaUsage", reflect.TypeFor[guard.Usage](), s.Types["servicemesh:index:QuotaUsage"].Properties, s.Types["servicemesh:index:QuotaUsage"].Required)
}

// Every type in schema.json is used, and everything has a description (they
// become IDE hovers and registry docs).
func TestSchemaTypesUsedAndDescribed(t *testing.T) {
	s := loadSchema(t)
	res := meshResource(t, s)
	assert.NotEmpty(t, res.Description, "ServiceMesh")
	used := map[string]bool{}
	var walk func(path string, p property)
	walk = func(path string, p property) {
		switch {
		case p.Items != nil:
			walk(path+"[]", *p.Items)
		case p.AdditionalProperties != nil:
			walk(path+"{}", *p.AdditionalProperties)
		case p.Ref != "":
			name := strings.TrimPrefix(p.Ref, "#/types/")
			if used[name] {
				return
			}
			used[name] = true
			for k, q := range s.Types[name].Properties {
				assert.NotEmpty(t, q.Description, "%s.%s has no description", name, k)
				walk(name+"."+k, q)
			}
		}
	}
	for _, props := range []map[string]property{res.InputProperties, res.Properties} {
		for name, p := range props {
			assert.NotEmpty(t, p.Description, "ServiceMesh.%s has no description", name)
			walk(name, p)
		}
	}
	for name, typ := range s.Types {
		assert.True(t, used[name], "type %s is never used", name)
		assert.NotEmpty(t, typ.Description, "type %s has no description", name)
		for _, e := range typ.Enum {
			assert.NotEmpty(t, e.Description, "%s value %s has no description", name, e.Value)
		}
	}
}

// One version, from schema.json, in the provider and all three SDKs (the
// generator stamps it; tools/gen-sdk refuses SDKs without it).
func TestOneVersion(t *testing.T) {
	s := loadSchema(t)
	v := s.Version
	require.Regexp(t, regexp.MustCompile(`^\d+\.\d+\.\d+`), v)
	assert.Equal(t, v, provider.Version)
	assert.Equal(t, s.Name, provider.Name)
	root := filepath.Join("..", "..", "..")
	q := regexp.QuoteMeta(v)
	for file, pattern := range map[string]string{
		"sdk/nodejs/package.json":                          `"version": "` + q + `"`,
		"sdk/python/pyproject.toml":                        `version = "` + q + `"`,
		"sdk/python/pulumi_servicemesh/pulumi-plugin.json": `"version": "` + q + `"`,
		"sdk/go/servicemesh/pulumi-plugin.json":            `"version": "` + q + `"`,
		"sdk/go/servicemesh/internal/pulumiUtilities.go":   `semver\.MustParse\("` + q + `"\)`,
	} {
		data, err := os.ReadFile(filepath.Join(root, file))
		require.NoError(t, err)
		assert.True(t, regexp.MustCompile(pattern).Match(data),
			"%s does not carry schema.json's version %s (run `make gen`)", file, v)
	}
}
