// Package provider serves the ServiceMesh component over Pulumi's provider
// protocol: it decodes Construct inputs into a declaration and calls the
// component. The schema and the version both come from schema.json.
package provider

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"

	servicemesh "github.com/pulumi-servicemesh/pulumi-servicemesh"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/component"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Name is the package name, as in the plugin binary pulumi-resource-servicemesh.
const Name = "servicemesh"

// Version is the package version: schema.json's, the single source.
var Version = func() string {
	var s struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(servicemesh.Schema, &s); err != nil || s.Version == "" {
		panic("schema.json must carry a version")
	}
	return s.Version
}()

// Serve runs the provider until the engine stops it.
func Serve() error {
	return pprovider.ComponentMain(Name, Version, servicemesh.Schema, Construct)
}

// Construct builds a ServiceMesh for the engine.
func Construct(ctx *pulumi.Context, typ, name string, inputs pprovider.ConstructInputs,
	options pulumi.ResourceOption,
) (*pprovider.ConstructResult, error) {
	if typ != component.Type {
		return nil, fmt.Errorf("unknown resource type %s; this provider serves only %s", typ, component.Type)
	}
	args, err := DecodeArgs(inputs)
	if err != nil {
		return nil, err
	}
	mesh, err := component.New(ctx, name, args, options)
	if err != nil {
		return nil, err
	}
	return pprovider.NewConstructResult(mesh)
}

// vpcIDProperty is the one input that may be a computed Pulumi value.
const vpcIDProperty = "vpcId"

// argsType has a field per top-level property of spec.Mesh, so the schema's
// plain inputs are copied out of the engine's values without a second list of
// them: vpcId as a Pulumi input, the rest as plain values.
var argsType = func() reflect.Type {
	fields := []reflect.StructField{{
		Name: "VpcID", Type: reflect.TypeFor[pulumi.StringInput](),
		Tag: reflect.StructTag(`pulumi:"` + vpcIDProperty + `"`),
	}}
	for _, name := range MeshProperties() {
		if name == vpcIDProperty {
			continue
		}
		fields = append(fields, reflect.StructField{
			Name: "P_" + strings.ReplaceAll(name, "-", "_"), Type: reflect.TypeFor[any](),
			Tag: reflect.StructTag(`pulumi:"` + name + `"`),
		})
	}
	return reflect.StructOf(fields)
}()

// MeshProperties lists spec.Mesh's top-level property names, in field order.
func MeshProperties() []string {
	t := reflect.TypeFor[spec.Mesh]()
	out := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		out = append(out, strings.Split(t.Field(i).Tag.Get("json"), ",")[0])
	}
	return out
}

// DecodeArgs reads Construct inputs through the same strict decoder as the
// offline planner, so both accept and reject exactly the same declarations.
func DecodeArgs(inputs pprovider.ConstructInputs) (component.Args, error) {
	v := reflect.New(argsType)
	if err := inputs.CopyTo(v.Interface()); err != nil {
		return component.Args{}, fmt.Errorf("reading ServiceMesh inputs: %w "+
			"(every input but vpcId must be a plain value known at preview, not a secret or another resource's output)", err)
	}
	plain := map[string]any{}
	for i := 1; i < argsType.NumField(); i++ {
		if val := v.Elem().Field(i).Interface(); val != nil {
			plain[strings.Split(argsType.Field(i).Tag.Get("pulumi"), ",")[0]] = val
		}
	}
	js, err := json.Marshal(plain)
	if err != nil {
		return component.Args{}, fmt.Errorf("reading ServiceMesh inputs: %w", err)
	}
	m, err := spec.DecodeJSON(js)
	if err != nil {
		return component.Args{}, err
	}
	vpc, _ := v.Elem().Field(0).Interface().(pulumi.StringInput)
	return component.Args{VpcID: vpc, Mesh: m}, nil
}
