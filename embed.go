// Package servicemesh holds the files the whole repository shares: the package
// schema (the contract the SDKs are generated from) and the reference
// architecture fixture.
package servicemesh

import _ "embed"

// Schema is schema.json, the Pulumi package schema, also served by the provider.
//
//go:embed schema.json
var Schema []byte

// ReferenceYAML is examples/reference.yaml, the article's reference architecture.
//
//go:embed examples/reference.yaml
var ReferenceYAML []byte
