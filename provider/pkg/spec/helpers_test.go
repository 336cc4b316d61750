package spec_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

func mustJSON(t *testing.T, m spec.Mesh) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
