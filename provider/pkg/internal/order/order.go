// Package order sorts slices of large structs through a permutation: the
// sort moves small keys, and each element then moves once. The planner's
// flows and rules are a few hundred bytes each, so moving them inside a sort
// (with the write barriers of their strings) cost more than comparing them.
package order

// Apply reorders s in place so that the element at position i is the one that
// was at perm[i]. perm must be a permutation of 0..len(s)-1; Apply consumes it.
func Apply[T any](s []T, perm []int32) {
	for i := range perm {
		if int(perm[i]) == i || perm[i] < 0 {
			continue
		}
		// Follow the cycle through i, marking each position done (-1).
		tmp := s[i]
		j := i
		for {
			k := int(perm[j])
			perm[j] = -1
			if k == i {
				s[j] = tmp
				break
			}
			s[j] = s[k]
			j = k
		}
	}
}

// Identity is 0..n-1, the permutation a sort of s by index starts from.
func Identity(n int) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	return p
}
