package nacl

// NumberForTest numbers entries as number does, with preferred in place of
// the content hash, so a collision can be forced.
func NumberForTest(list []Entry, preferred func(Entry) int) []Entry {
	numberWith(list, preferred)
	return list
}
