package suggest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClosest(t *testing.T) {
	known := []string{"ingress", "egress", "name", "tier", "attachedWith"}
	for _, tc := range []struct {
		name, want string
		ok         bool
	}{
		{"ingres", "ingress", true},
		{"Ingress", "ingress", true},
		{"egres", "egress", true},
		{"attachedwith", "attachedWith", true},
		{"nmae", "name", true},
		{"description", "", false},
		{"", "", false}, // four edits from any of them
	} {
		got, ok := Closest(tc.name, known)
		assert.Equal(t, tc.ok, ok, tc.name)
		assert.Equal(t, tc.want, got, tc.name)
	}
	_, ok := Closest("x", nil)
	assert.False(t, ok)
}

func TestDistance(t *testing.T) {
	assert.Equal(t, 0, distance("abc", "abc"))
	assert.Equal(t, 1, distance("ingres", "ingress"))
	assert.Equal(t, 2, distance("nmae", "name"))
	assert.Equal(t, 3, distance("kitten", "sitting"))
	assert.Equal(t, 4, distance("", "tier"))
}
