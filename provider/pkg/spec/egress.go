package spec

// ResolvedEgress is the mesh's egress policy with the default applied: the one
// place an unset policy becomes allowAll.
func (m Mesh) ResolvedEgress() EgressPolicy {
	if m.Egress == "" {
		return EgressAllowAll
	}
	return m.Egress
}
