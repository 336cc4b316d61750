package nacl

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
)

// number gives each entry its rule number, derived from its content: the
// hash of its Key, folded into [Low, High]. Numbers are per direction, so
// ingress and egress are numbered apart (EC2 keys an entry by ACL, direction
// and number). When two entries of one direction want one number, the one
// whose Key sorts first keeps it and the other takes the next free number
// up (wrapping at High): deterministic, and independent of declaration order.
//
// A changed entry has a new Key, so a new number (the same one with
// probability 1 in High-Low+1): pulumi-aws creates the new rule before it
// deletes the old, and the two do not collide. Adding an entry that wins
// an existing entry's number moves that entry, a replacement of that one
// rule; see README "Network ACLs" for what apply does then.
func number(list []Entry) { numberWith(list, Preferred) }

func numberWith(list []Entry, preferred func(Entry) int) {
	taken := map[bool]map[int]bool{false: {}, true: {}}
	order := make([]int, len(list))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return compareKeys(list[a], list[b]) })
	for _, i := range order {
		n := preferred(list[i])
		for taken[list[i].Egress][n] {
			n++
			if n > High {
				n = Low
			}
		}
		taken[list[i].Egress][n] = true
		list[i].Number = n
	}
	sortEntries(list)
}

func compareKeys(a, b Entry) int {
	switch ka, kb := a.Key(), b.Key(); {
	case ka < kb:
		return -1
	case ka > kb:
		return 1
	}
	return 0
}

// Preferred is the number an entry's content hashes to.
func Preferred(e Entry) int {
	sum := sha256.Sum256([]byte(e.Key()))
	return Low + int(binary.BigEndian.Uint64(sum[:8])%uint64(High-Low+1))
}
