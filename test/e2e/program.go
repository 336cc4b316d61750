package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// WriteYAMLProgram writes a Pulumi YAML program declaring m as one ServiceMesh
// named "mesh" into dir, so a test can preview any variant of a declaration
// through the real YAML language host.
func WriteYAMLProgram(dir, project string, m spec.Mesh) error {
	return WriteYAMLMeshes(dir, project, map[string]spec.Mesh{"mesh": m})
}

// WriteYAMLMeshes writes a program declaring one ServiceMesh per entry of
// meshes, by resource name; each one's group ids are a stack output of that name.
func WriteYAMLMeshes(dir, project string, meshes map[string]spec.Mesh) error {
	resources, outputs := map[string]any{}, map[string]any{}
	for name, m := range meshes {
		props, err := Properties(m)
		if err != nil {
			return err
		}
		resources[name] = map[string]any{"type": "servicemesh:index:ServiceMesh", "properties": props}
		outputs[name] = "${" + name + ".securityGroupIds}"
	}
	program := map[string]any{"name": project, "runtime": "yaml", "resources": resources, "outputs": outputs}
	out, err := yaml.Marshal(program)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), out, 0o644); err != nil {
		return fmt.Errorf("writing program: %w", err)
	}
	return nil
}

// Properties are a declaration's ServiceMesh inputs, with the offline VPC
// unless the declaration names its own.
func Properties(m spec.Mesh) (map[string]any, error) {
	js, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var props map[string]any
	if err := json.Unmarshal(js, &props); err != nil {
		return nil, err
	}
	if m.VpcID == "" {
		props["vpcId"] = reference.VpcID
	}
	return props, nil
}
