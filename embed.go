// Package servicemesh holds the files the whole repository shares: the package
// schema (the contract the SDKs are generated from) and the reference
// architecture fixture.
package servicemesh

import (
	_ "embed"
	"encoding/json"
)

// Schema is schema.json, the Pulumi package schema, also served by the provider.
//
//go:embed schema.json
var Schema []byte

// ReferenceYAML is examples/reference.yaml, the article's reference architecture.
//
//go:embed examples/reference.yaml
var ReferenceYAML []byte

// Version is the package version: schema.json's, the single source for the
// provider, the CLI and the SDKs.
var Version = func() string {
	var s struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(Schema, &s); err != nil || s.Version == "" {
		panic("schema.json must carry a version")
	}
	return s.Version
}()
