package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
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

func TestAdopt(t *testing.T) {
	for name, tc := range map[string]struct {
		adopt [2]string // the two services' group ids; "" means no adopt
		want  string
	}{
		"valid":         {[2]string{"sg-0123456789abcdef0", ""}, ""},
		"not an id":     {[2]string{"launch-wizard-1", ""}, `adopt.groupId "launch-wizard-1" is not a security group id`},
		"adopted twice": {[2]string{"sg-0123456789abcdef0", "sg-0123456789abcdef0"}, `sg-0123456789abcdef0 is adopted by "A" too`},
	} {
		t.Run(name, func(t *testing.T) {
			m := spec.Mesh{Tiers: []spec.Tier{{Name: "web"}}, Services: []spec.Service{{Name: "A", Tier: "web"}, {Name: "B", Tier: "web"}}}
			for i, id := range tc.adopt {
				if id != "" {
					m.Services[i].Adopt = &spec.Adopt{GroupID: id}
				}
			}
			got := validate.Mesh(m)
			if tc.want == "" {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, finding.CheckInvalidAdopt, got[0].Check)
			assert.Contains(t, got[0].Message, tc.want)
		})
	}
}
