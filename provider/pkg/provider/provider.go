// Package provider serves the ServiceMesh component over Pulumi's provider
// protocol: it decodes Construct inputs into a declaration and calls the
// component. The schema and the version both come from schema.json.
package provider

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"

	servicemesh "github.com/pulumi-servicemesh/pulumi-servicemesh"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/component"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Name is the package name, as in the plugin binary pulumi-resource-servicemesh.
const Name = "servicemesh"

// Version is the package version: schema.json's, the single source.
var Version = servicemesh.Version

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
	args, err := DecodeArgs(ctx, inputs)
	if err != nil {
		return nil, err
	}
	mesh, err := component.New(ctx, name, args, options)
	if err != nil {
		return nil, err
	}
	return pprovider.NewConstructResult(mesh)
}

// vpcIDProperty is the VPC's id, a Pulumi input.
const vpcIDProperty = "vpcId"

// inputField is a field of a list element that takes a Pulumi input (another
// resource's output) instead of a plain value.
type inputField struct {
	property, field string
	typ             reflect.Type
}

// inputFields are the declaration's fields, besides vpcId, that may be other
// resources' outputs: an external group's id, and the cidrBlocksFrom lists
// (whose rules are named after their tier or network, never their values).
// Every other input is plain, known at preview, so the plan is exact.
var inputFields = []inputField{
	{"externalGroups", "securityGroupId", reflect.TypeFor[pulumi.StringInput]()},
	{"tiers", "cidrBlocksFrom", reflect.TypeFor[pulumi.StringArrayInput]()},
	{"networks", "cidrBlocksFrom", reflect.TypeFor[pulumi.StringArrayInput]()},
	// A tier's subnets for its network ACL: usually a VPC's subnets' ids.
	{"tiers", "subnetIds", reflect.TypeFor[pulumi.StringArrayInput]()},
}

// InputPaths lists the inputs that accept outputs, as the schema test reads
// them: vpcId and property[].field.
func InputPaths() []string {
	out := []string{vpcIDProperty}
	for _, f := range inputFields {
		out = append(out, f.property+"[]."+f.field)
	}
	return out
}

// listKinds are the spec.ListID kinds of the properties with cidrBlocksFrom.
var listKinds = map[string]string{"tiers": "tier", "networks": "network"}

// argsType has a field per top-level property of spec.Mesh, so the inputs are
// copied out of the engine's values without a second list of them: vpcId as
// a Pulumi input; a list with an input field as a slice of structs (elemType)
// holding that field as an input and the rest as plain values; the rest as
// plain values.
var argsType = func() reflect.Type {
	fields := []reflect.StructField{{
		Name: "VpcID", Type: reflect.TypeFor[pulumi.StringInput](),
		Tag: reflect.StructTag(`pulumi:"` + vpcIDProperty + `"`),
	}}
	mesh := reflect.TypeFor[spec.Mesh]()
	for i, name := range jsonNames(mesh) {
		if name == vpcIDProperty || name == "" {
			continue
		}
		typ := reflect.TypeFor[any]()
		if fs := inputFieldsOf(name); len(fs) > 0 {
			typ = reflect.SliceOf(elemType(mesh.Field(i).Type.Elem(), fs))
		}
		fields = append(fields, reflect.StructField{
			Name: "P_" + strings.ReplaceAll(name, "-", "_"), Type: typ,
			Tag: reflect.StructTag(`pulumi:"` + name + `"`),
		})
	}
	return reflect.StructOf(fields)
}()

// inputFieldsOf lists the input fields of a property's elements.
func inputFieldsOf(property string) []inputField {
	var out []inputField
	for _, f := range inputFields {
		if f.property == property {
			out = append(out, f)
		}
	}
	return out
}

// elemType mirrors a spec element struct, one field per json property, each
// plain (any) but the input fields.
func elemType(spec reflect.Type, ins []inputField) reflect.Type {
	var fields []reflect.StructField
	for _, name := range jsonNames(spec) {
		if name == "" {
			continue
		}
		typ := reflect.TypeFor[any]()
		for _, in := range ins {
			if name == in.field {
				typ = in.typ
			}
		}
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", len(fields)), Type: typ,
			Tag: reflect.StructTag(`pulumi:"` + name + `"`)})
	}
	return reflect.StructOf(fields)
}

// MeshProperties lists spec.Mesh's top-level property names, in field order.
func MeshProperties() []string {
	return slices.DeleteFunc(jsonNames(reflect.TypeFor[spec.Mesh]()), func(n string) bool { return n == "" })
}

// jsonNames lists a struct's json property names in field order, "" for a
// field the schema does not have (json:"-"), so indexes match the fields.
func jsonNames(t reflect.Type) []string {
	out := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
		if name == "-" {
			name = ""
		}
		out = append(out, name)
	}
	return out
}

// DecodeArgs reads Construct inputs through the same strict decoder as the
// offline planner, so both accept and reject exactly the same declarations.
// An input field's value, when known (at up, or at preview once the resource
// it comes from exists), is decoded and checked like any other; when not,
// the declaration says so (spec.Mesh.Unknown) and the component carries the
// input into the rules.
func DecodeArgs(ctx *pulumi.Context, inputs pprovider.ConstructInputs) (component.Args, error) {
	v := reflect.New(argsType)
	if err := inputs.CopyTo(v.Interface()); err != nil {
		return component.Args{}, fmt.Errorf("reading ServiceMesh inputs: %w "+
			"(only vpcId, externalGroups[].securityGroupId, tiers[].subnetIds and the cidrBlocksFrom of tiers and networks may be "+
			"another resource's output; every other input must be a plain value known at preview)", err)
	}
	args := component.Args{ExternalGroupIDs: map[string]pulumi.StringInput{}, CidrBlocksFrom: map[string]pulumi.StringArrayInput{},
		SubnetIDs: map[string]pulumi.StringArrayInput{}}
	var unknown, subnetsFrom []string
	plain := map[string]any{}
	for i := 1; i < argsType.NumField(); i++ {
		name := strings.Split(argsType.Field(i).Tag.Get("pulumi"), ",")[0]
		val := v.Elem().Field(i)
		ins := inputFieldsOf(name)
		if len(ins) == 0 {
			if x := val.Interface(); x != nil {
				plain[name] = x
			}
			continue
		}
		if val.IsNil() {
			continue
		}
		list := make([]any, val.Len())
		for j := range val.Len() {
			elem, err := elemValues(ctx, val.Index(j), ins, &args, &unknown, &subnetsFrom)
			if err != nil {
				return component.Args{}, err
			}
			list[j] = elem
		}
		plain[name] = list
	}
	if err := wholeValues(ctx, inputs, plain); err != nil {
		return component.Args{}, err
	}
	js, err := json.Marshal(plain)
	if err != nil {
		return component.Args{}, fmt.Errorf("reading ServiceMesh inputs: %w", err)
	}
	m, err := spec.DecodeJSON(js)
	if err != nil {
		return component.Args{}, err
	}
	m.Unknown, m.SubnetsFrom = unknown, subnetsFrom
	args.VpcID, _ = v.Elem().Field(0).Interface().(pulumi.StringInput)
	args.Mesh = m
	return args, nil
}

// wholeValues replaces each list with an input field by its whole value when
// every part of it is known, so the strict decoder sees every key the
// program sent (the typed copy keeps only the keys it knows): a misspelt key
// is an error, not a dropped value. While part is unknown (at preview) the
// typed copy stands in; the whole value is checked at up. A top-level
// property the schema does not have is passed on too, for the decoder to
// name it.
func wholeValues(ctx *pulumi.Context, inputs pprovider.ConstructInputs, plain map[string]any) error {
	all, err := inputs.Map()
	if err != nil {
		return fmt.Errorf("reading ServiceMesh inputs: %w", err)
	}
	properties := MeshProperties()
	for _, name := range slices.Sorted(maps.Keys(all)) {
		isInput := len(inputFieldsOf(name)) > 0
		if !isInput && slices.Contains(properties, name) {
			continue
		}
		state, err := internals.UnsafeAwaitOutput(ctx.Context(), pulumi.ToOutput(all[name]))
		if err != nil {
			return fmt.Errorf("reading ServiceMesh input %s: %w", name, err)
		}
		if state.Known && state.Value != nil {
			plain[name] = state.Value
		}
	}
	return nil
}

// elemValues turns one list element into plain values for the decoder,
// records its inputs in args, and their values, once known, in the plain
// values; an unknown one is listed in unknown (lists) or subnetsFrom
// (subnets), or left out (ids).
func elemValues(ctx *pulumi.Context, elem reflect.Value, ins []inputField, args *component.Args,
	unknown, subnetsFrom *[]string,
) (map[string]any, error) {
	out := map[string]any{}
	inputs := map[string]pulumi.Input{}
	for k := range elem.NumField() {
		tag := strings.Split(elem.Type().Field(k).Tag.Get("pulumi"), ",")[0]
		x := elem.Field(k).Interface()
		if slices.ContainsFunc(ins, func(in inputField) bool { return in.field == tag }) {
			if input, ok := x.(pulumi.Input); ok && input != nil {
				inputs[tag] = input
			}
			continue
		}
		if x != nil {
			out[tag] = x
		}
	}
	name, _ := out["name"].(string)
	for _, in := range ins {
		input, ok := inputs[in.field]
		if !ok {
			continue
		}
		state, err := internals.UnsafeAwaitOutput(ctx.Context(), pulumi.ToOutput(input))
		if err != nil {
			return nil, fmt.Errorf("reading ServiceMesh input %s %q %s: %w", in.property, name, in.field, err)
		}
		switch typed := input.(type) {
		case pulumi.StringInput:
			args.ExternalGroupIDs[name] = typed
		case pulumi.StringArrayInput:
			if in.field == "subnetIds" {
				args.SubnetIDs[name] = typed
				if !state.Known {
					*subnetsFrom = append(*subnetsFrom, name)
				}
				break
			}
			args.CidrBlocksFrom[spec.ListID(listKinds[in.property], name)] = typed
			if !state.Known {
				*unknown = append(*unknown, spec.ListID(listKinds[in.property], name))
			}
		}
		if state.Known {
			out[in.field] = state.Value
		}
	}
	return out, nil
}
