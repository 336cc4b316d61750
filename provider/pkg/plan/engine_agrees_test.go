package plan_test

// This test goes through the provider (and so Pulumi's SDK) on purpose: it
// holds the offline planner to what the engine's schema-typed path accepts.
// Package plan itself still imports nothing from Pulumi.

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yamlv3 "go.yaml.in/yaml/v3"

	servicemesh "github.com/pulumi-servicemesh/pulumi-servicemesh"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/component"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/provider"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// cliOutcome is what `servicemesh plan` makes of a declaration file: nil,
// or the error that refuses it.
func cliOutcome(src []byte) error {
	m, err := spec.Decode(src)
	if err != nil {
		return err
	}
	_, err = plan.Build(m)
	return err
}

// errPlanned stops Construct once the inputs are decoded and planned,
// before any resource is registered.
var errPlanned = errors.New("planned")

// engineOutcome sends a declaration, as a program's property values, through
// the provider's Construct as the engine calls it (the inputs a Pulumi
// program sends, typed by the schema) and reports what it makes of them.
func engineOutcome(t *testing.T, values map[string]any) error {
	t.Helper()
	props, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(values), plugin.MarshalOptions{})
	require.NoError(t, err)
	var outcome error
	_, err = pprovider.Construct(context.Background(), &pulumirpc.ConstructRequest{
		Project: "p", Stack: "s", Type: component.Type, Name: "mesh", Inputs: props,
	}, nil, func(ctx *pulumi.Context, typ, name string, in pprovider.ConstructInputs, _ pulumi.ResourceOption) (*pprovider.ConstructResult, error) {
		args, err := provider.DecodeArgs(ctx, in)
		if err == nil {
			_, err = plan.Build(args.Mesh)
		}
		outcome = err
		return nil, errPlanned
	})
	require.ErrorContains(t, err, errPlanned.Error())
	return outcome
}

// Issue 21 item 3: every declaration of the bad-input catalogue, and the
// spellings the engine's schema refuses, gets the same outcome from the
// offline planner and from the provider.
func TestCLIAndEngineAgree(t *testing.T) {
	t.Run("catalogue", func(t *testing.T) {
		for _, c := range badInputs {
			t.Run(c.name, func(t *testing.T) {
				m := reference.Mesh()
				c.change(&m)
				js, err := json.Marshal(m)
				require.NoError(t, err)
				var values map[string]any
				require.NoError(t, json.Unmarshal(js, &values))
				cli, engine := cliOutcome(js), engineOutcome(t, values)
				require.Error(t, cli)
				require.Error(t, engine)
				var fe *finding.Errors
				if errors.As(cli, &fe) {
					assert.Equal(t, cli.Error(), engine.Error(), "the same findings")
				}
			})
		}
	})

	const head = "tiers: [{name: web}, {name: data}]\nservices:\n  - name: db\n    tier: data\n"
	for _, tc := range []struct {
		name, yaml string
		accept     bool
	}{
		{"the reference", string(servicemesh.ReferenceYAML), true},
		{"a field name in the wrong case", head + "    attachedwith: [db]\n", false},
		{"a top-level field in the wrong case", head + "Egress: none\n", false},
		{"an unknown top-level field", head + "servics: []\n", false},
		{"a port as text", head + "    ingress: [{ports: [\"443\"], from: {self: true}}]\n", false},
		{"a range as a port", head + "    ingress: [{ports: [3306-3307], from: {self: true}}]\n", false},
		{"a tier as a number", "tiers: [{name: web}]\nservices: [{name: db, tier: 1}]\n", false},
		{"a flag as text", head + "    ingress: [{ports: [443], from: {self: \"true\"}}]\n", false},
		// The engine's numbers are float64: past 2^53 a value is no longer
		// what was written, so both refuse it.
		{"a number past 2^53", head + "limits: {inboundRulesPerGroup: 4611686018427387904}\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var values map[string]any
			require.NoError(t, yamlv3.Unmarshal([]byte(tc.yaml), &values))
			cli, engine := cliOutcome([]byte(tc.yaml)), engineOutcome(t, values)
			if tc.accept {
				assert.NoError(t, cli)
				assert.NoError(t, engine)
			} else {
				assert.Error(t, cli)
				assert.Error(t, engine)
			}
		})
	}

	// The engine's YAML reader refuses a key given twice before any
	// provider sees the program; so does the planner.
	twice := head + "    tier: web\n"
	var values map[string]any
	assert.ErrorContains(t, yamlv3.Unmarshal([]byte(twice), &values), `mapping key "tier" already defined`)
	assert.ErrorContains(t, cliOutcome([]byte(twice)), `"tier" is given twice`)
}
