package flowlog

import (
	"fmt"
	"net/netip"
)

// Record is one record with typed fields. A field the format lacks, or that
// AWS wrote as "-", is the zero value: an invalid netip.Addr, an empty
// string, or -1 for the numbers where 0 is a value (ports, protocol, flags,
// traffic path).
type Record struct {
	Version                            int
	AccountID, InterfaceID             string
	SrcAddr, DstAddr                   netip.Addr
	SrcPort, DstPort, Protocol         int
	Packets, Bytes                     int64
	Start, End                         int64 // Unix seconds
	Action, LogStatus                  string
	VPCID, SubnetID, InstanceID, Type  string
	TCPFlags                           int
	PktSrcAddr, PktDstAddr             netip.Addr
	Region, AZID                       string
	PktSrcAWSService, PktDstAWSService string
	FlowDirection                      Direction
	TrafficPath                        int
}

// Record is the current record typed. A value that does not parse is a bad
// line (counted and reported in Errors) and an error here.
func (s *Scanner) Record() (Record, error) {
	p := recordParser{s: s}
	r := Record{
		Version:          int(p.num(Version, 0)),
		AccountID:        p.str(AccountID),
		InterfaceID:      p.str(InterfaceID),
		SrcAddr:          p.addr(SrcAddr),
		DstAddr:          p.addr(DstAddr),
		SrcPort:          int(p.num(SrcPort, 65535)),
		DstPort:          int(p.num(DstPort, 65535)),
		Protocol:         int(p.num(Protocol, 255)),
		Packets:          max(p.num(Packets, 0), 0),
		Bytes:            max(p.num(Bytes, 0), 0),
		Start:            max(p.num(Start, 0), 0),
		End:              max(p.num(End, 0), 0),
		Action:           p.str(Action),
		LogStatus:        p.str(LogStatus),
		VPCID:            p.str(VPCID),
		SubnetID:         p.str(SubnetID),
		InstanceID:       p.str(InstanceID),
		Type:             p.str(Type),
		TCPFlags:         int(p.num(TCPFlags, 255)),
		PktSrcAddr:       p.addr(PktSrcAddr),
		PktDstAddr:       p.addr(PktDstAddr),
		Region:           p.str(Region),
		AZID:             p.str(AZID),
		PktSrcAWSService: p.str(PktSrcAWSService),
		PktDstAWSService: p.str(PktDstAWSService),
		FlowDirection:    p.direction(),
		TrafficPath:      int(p.num(TrafficPath, 255)),
	}
	if p.err != nil {
		s.invalid("%v", p.err)
		return Record{}, &LineError{File: s.name, Line: s.line, Msg: p.err.Error()}
	}
	return r, nil
}

type recordParser struct {
	s   *Scanner
	err error
}

func (p *recordParser) str(f Field) string {
	b := p.s.Field(f)
	if b == nil || isDash(b) {
		return ""
	}
	return string(b)
}

func (p *recordParser) addr(f Field) netip.Addr {
	b := p.s.Field(f)
	if b == nil || isDash(b) {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(string(b))
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("%s %q is not an IP address", f, b)
	}
	return a
}

func (p *recordParser) direction() Direction {
	d, ok := parseDirection(p.s.Field(FlowDirection))
	if !ok && p.err == nil {
		p.err = fmt.Errorf("%s %q is not ingress or egress", FlowDirection, p.s.Field(FlowDirection))
	}
	return d
}

// num parses a decimal field; limit > 0 bounds it. Absent or "-" is -1.
func (p *recordParser) num(f Field, limit uint64) int64 {
	b := p.s.Field(f)
	if b == nil || isDash(b) {
		return -1
	}
	v, ok := parseUint(b)
	if !ok || (limit > 0 && v > limit) {
		if p.err == nil {
			p.err = fmt.Errorf("%s %q is not a number%s", f, b, limitText(limit))
		}
		return -1
	}
	return int64(v)
}

func limitText(limit uint64) string {
	if limit == 0 {
		return ""
	}
	return fmt.Sprintf(" from 0 to %d", limit)
}

func isDash(b []byte) bool { return len(b) == 1 && b[0] == '-' }

// parseUint reads a decimal number of at most 19 digits (no overflow).
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}
