// Package suggest finds the name a user probably meant: the one suggestion
// logic for unknown references (validate) and misspelt fields (spec).
package suggest

import "strings"

// Closest returns the known name nearest to name, if it is near enough to be a
// likely typo (or differs only in case).
func Closest(name string, known []string) (string, bool) {
	best, bestDist := "", -1
	for _, k := range known {
		d := distance(strings.ToLower(name), strings.ToLower(k))
		if bestDist < 0 || d < bestDist || (d == bestDist && k < best) {
			best, bestDist = k, d
		}
	}
	if bestDist < 0 || bestDist > max(2, len(name)/3) {
		return "", false
	}
	return best, true
}

// distance is the Levenshtein edit distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
