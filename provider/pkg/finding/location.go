package finding

import "strconv"

// RulePath is a rule's location within its service, as findings, origins and
// the decoder spell it: "ingress[2]" for side "ingress" and index 2.
func RulePath(side string, index int) string {
	return side + "[" + strconv.Itoa(index) + "]"
}
