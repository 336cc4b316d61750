package validate

import (
	"fmt"
	"sort"
	"strings"
)

// closest returns the known name nearest to name, if it is near enough to be a
// likely typo (or differs only in case).
func closest(name string, known []string) (string, bool) {
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

// didYouMean words a fix for an unknown name: the closest name, or the list.
func didYouMean(kind, name string, known []string) string {
	if c, ok := closest(name, known); ok {
		return fmt.Sprintf("did you mean %q?", c)
	}
	if len(known) == 0 {
		return fmt.Sprintf("declare the %s first", kind)
	}
	sorted := append([]string(nil), known...)
	sort.Strings(sorted)
	if len(sorted) > 8 {
		sorted = append(sorted[:8], "...")
	}
	return fmt.Sprintf("use one of the declared %ss: %s", kind, strings.Join(sorted, ", "))
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
