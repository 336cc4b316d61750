package spec

import (
	"bytes"
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"
)

// Decode reads a declaration from YAML or JSON. Unknown fields are errors, so a
// misspelt field never silently drops a rule.
func Decode(data []byte) (Mesh, error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return Mesh{}, fmt.Errorf("reading service mesh declaration: %w", err)
	}
	return DecodeJSON(js)
}

// DecodeJSON reads a declaration from JSON, strictly.
func DecodeJSON(data []byte) (Mesh, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Mesh
	if err := dec.Decode(&m); err != nil {
		return Mesh{}, fmt.Errorf("reading service mesh declaration: %w", err)
	}
	if dec.More() {
		return Mesh{}, fmt.Errorf("reading service mesh declaration: trailing data after the declaration")
	}
	return m, nil
}
