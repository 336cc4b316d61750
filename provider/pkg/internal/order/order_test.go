package order

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestApply(t *testing.T) {
	for _, tc := range []struct {
		perm []int32
		want []string
	}{
		{[]int32{}, []string{}},
		{[]int32{0, 1, 2, 3}, []string{"a", "b", "c", "d"}},
		{[]int32{3, 2, 1, 0}, []string{"d", "c", "b", "a"}},
		{[]int32{1, 2, 3, 0}, []string{"b", "c", "d", "a"}},
		{[]int32{1, 0, 3, 2}, []string{"b", "a", "d", "c"}},
	} {
		s := []string{"a", "b", "c", "d"}[:len(tc.perm)]
		s = slices.Clone(s)
		Apply(s, slices.Clone(tc.perm))
		assert.Equal(t, tc.want, s, "%v", tc.perm)
	}
}

// Sorting a permutation and applying it is sorting: stated on random data
// against slices.Sort.
func TestApplySorts(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		s := make([]int, r.IntN(50))
		for i := range s {
			s[i] = r.IntN(1000)
		}
		want := slices.Clone(s)
		slices.Sort(want)
		perm := Identity(len(s))
		slices.SortFunc(perm, func(a, b int32) int { return s[a] - s[b] })
		Apply(s, perm)
		assert.Equal(t, want, s)
	}
}
