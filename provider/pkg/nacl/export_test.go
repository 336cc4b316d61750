package nacl

// NumberForTest numbers entries as number does, with preferred and fallback
// in place of the content hashes, so a collision can be forced.
func NumberForTest(list []Entry, preferred, fallback func(Entry) int) []Entry {
	numberWith(list, preferred, fallback)
	return list
}
