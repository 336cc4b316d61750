package ec2read

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// PrefixList is a managed prefix list: its name (describe-managed-prefix-lists)
// and its entries (get-managed-prefix-list-entries), when read.
type PrefixList struct {
	ID, Name string
	CIDRs    []netip.Prefix
}

// addPrefixLists adds the lists read, sorted by id: a list whose entries
// were read without its description still counts, by id.
func (a *Account) addPrefixLists(lists []types.ManagedPrefixList, entries map[string][]types.PrefixListEntry) error {
	names := map[string]string{}
	for _, l := range lists {
		names[str(l.PrefixListId)] = str(l.PrefixListName)
	}
	for _, id := range slices.Sorted(maps.Keys(entries)) {
		pl := PrefixList{ID: id, Name: names[id]}
		for _, e := range entries[id] {
			p, err := netip.ParsePrefix(str(e.Cidr))
			if err != nil {
				return fmt.Errorf("%s: prefix list %s: entry %q: %w", a.Source, id, str(e.Cidr), err)
			}
			pl.CIDRs = append(pl.CIDRs, p)
		}
		slices.SortFunc(pl.CIDRs, func(x, y netip.Prefix) int {
			return cmp.Or(x.Addr().Compare(y.Addr()), cmp.Compare(x.Bits(), y.Bits()))
		})
		a.PrefixLists = append(a.PrefixLists, pl)
	}
	return nil
}

// PrefixList returns the list with the id, or nil when its entries were
// not read.
func (a *Account) PrefixList(id string) *PrefixList {
	for i := range a.PrefixLists {
		if a.PrefixLists[i].ID == id {
			return &a.PrefixLists[i]
		}
	}
	return nil
}
