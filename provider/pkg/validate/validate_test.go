package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/validate"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

func TestReferenceIsClean(t *testing.T) {
	assert.Empty(t, validate.Mesh(reference.Mesh()))
}
