package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/validate"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

func TestReferenceIsClean(t *testing.T) {
	assert.Empty(t, validate.Mesh(reference.Mesh()))
}

func TestDecodeRejectsUnknownFields(t *testing.T) {
	_, err := spec.Decode([]byte("tiers: [{name: web}]\nservices: [{name: A, tier: web, ingress: [{portz: [1]}]}]"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown field "portz"`)
}
