package validate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/internal/suggest"
)

// didYouMean words a fix for an unknown name: the closest name, or the list.
func didYouMean(kind, name string, known []string) string {
	if c, ok := suggest.Closest(name, known); ok {
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
