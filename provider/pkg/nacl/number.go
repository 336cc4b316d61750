package nacl

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
)

// number gives each entry its rule number, derived from its content alone.
// Numbers are per direction (EC2 keys an entry by ACL, direction and
// number). An entry takes its preferred number, the hash of its Key folded
// into [Low, High], when no other entry of its direction wants it. A
// preferred number two entries want is taken by none of them: they all move
// to their fallback number, a second hash folded into [FallbackLow,
// FallbackHigh], which no preferred number can be. So a newcomer never takes
// an existing entry's preferred number; at worst it pushes that entry to its
// fallback, a replacement created before the old rule is deleted, at a
// number the old rule does not hold. The fallback range repeats the rule:
// a fallback number one contender wants is its own. Contenders wanting one
// fallback number are the residue: in Key order, each takes the first free
// number from its fallback up, wrapping in the fallback range. README
// "Network ACLs" gives what remains and its odds.
func number(list []Entry) { numberWith(list, Preferred, Fallback) }

func numberWith(list []Entry, preferred, fallback func(Entry) int) {
	order := make([]int, len(list))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return compareKeys(list[a], list[b]) })
	type slot struct {
		egress bool
		n      int
	}
	wanted := map[slot]int{}
	for _, i := range order {
		wanted[slot{list[i].Egress, preferred(list[i])}]++
	}
	taken := map[slot]bool{}
	var contested []int
	for _, i := range order {
		s := slot{list[i].Egress, preferred(list[i])}
		if wanted[s] > 1 {
			contested = append(contested, i)
			continue
		}
		taken[s] = true
		list[i].Number = s.n
	}
	// The same rule once more in the fallback range: a fallback number one
	// contender wants is its own; the rest probe in key order.
	wanted = map[slot]int{}
	for _, i := range contested {
		wanted[slot{list[i].Egress, fallback(list[i])}]++
	}
	var probing []int
	for _, i := range contested {
		if s := (slot{list[i].Egress, fallback(list[i])}); wanted[s] == 1 {
			taken[s] = true
			list[i].Number = s.n
		} else {
			probing = append(probing, i)
		}
	}
	for _, i := range probing {
		list[i].Number = free(fallback(list[i]), func(n int) bool { return taken[slot{list[i].Egress, n}] })
		taken[slot{list[i].Egress, list[i].Number}] = true
	}
	sortEntries(list)
}

// free is the first number from n up, through the fallback range and then
// the preferred range, that is not taken. The second pass only runs when
// more than 67 entries of one direction are contested, dozens of hash
// collisions at once; it keeps numbering total.
func free(n int, taken func(int) bool) int {
	size := FallbackHigh - FallbackLow + 1
	for i := range size {
		if c := FallbackLow + (n-FallbackLow+i)%size; !taken(c) {
			return c
		}
	}
	for c := Low; c <= High; c++ {
		if !taken(c) {
			return c
		}
	}
	panic("nacl: more entries in one direction than rule numbers")
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

// Preferred is the number an entry's content hashes to: the first 8 bytes
// of SHA-256 of its Key, big-endian, folded into [Low, High].
func Preferred(e Entry) int {
	sum := sha256.Sum256([]byte(e.Key()))
	return Low + int(binary.BigEndian.Uint64(sum[:8])%uint64(High-Low+1))
}

// Fallback is the number an entry takes when its preferred number is
// contested: the next 8 bytes of the same hash, folded into [FallbackLow,
// FallbackHigh].
func Fallback(e Entry) int {
	sum := sha256.Sum256([]byte(e.Key()))
	return FallbackLow + int(binary.BigEndian.Uint64(sum[8:16])%uint64(FallbackHigh-FallbackLow+1))
}
