package flowlog

import (
	"bytes"
	"compress/gzip"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The record examples of the Amazon VPC User Guide ("Flow log record
// examples"), each with the fields the guide's prose gives it.
func TestUserGuideExamples(t *testing.T) {
	const v3tcp = "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status"
	const nat = "instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr"
	const tgw = "version interface-id account-id vpc-id subnet-id instance-id srcaddr dstaddr srcport dstport protocol tcp-flags type pkt-srcaddr pkt-dstaddr action log-status"
	const v5 = "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status"
	ip := netip.MustParseAddr
	none := func(r Record) Record { // what every test leaves unset: -1 for absent numbers
		if r.TCPFlags == 0 {
			r.TCPFlags = -1
		}
		if r.TrafficPath == 0 {
			r.TrafficPath = -1
		}
		return r
	}
	v2 := func(r Record) Record {
		r.Version = 2
		r.AccountID = "123456789010"
		r.InterfaceID = "eni-1235b8ca123456789"
		return none(r)
	}
	tests := []struct {
		name, header, line string
		want               Record
	}{
		{"ssh accepted", "", "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
			v2(Record{SrcAddr: ip("172.31.16.139"), DstAddr: ip("172.31.16.21"), SrcPort: 20641, DstPort: 22, Protocol: 6, Packets: 20, Bytes: 4249, Start: 1418530010, End: 1418530070, Action: "ACCEPT", LogStatus: "OK"})},
		{"rdp rejected", "", "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
			v2(Record{SrcAddr: ip("172.31.9.69"), DstAddr: ip("172.31.9.12"), SrcPort: 49761, DstPort: 3389, Protocol: 6, Packets: 20, Bytes: 4249, Start: 1418530010, End: 1418530070, Action: "REJECT", LogStatus: "OK"})},
		{"ping in, accepted", "", "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK",
			v2(Record{SrcAddr: ip("203.0.113.12"), DstAddr: ip("172.31.16.139"), SrcPort: 0, DstPort: 0, Protocol: 1, Packets: 4, Bytes: 336, Start: 1432917027, End: 1432917142, Action: "ACCEPT", LogStatus: "OK"})},
		{"ipv6 ssh", "", "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK",
			v2(Record{SrcAddr: ip("2001:db8:1234:a100:8d6e:3477:df66:f105"), DstAddr: ip("2001:db8:1234:a102:3304:8879:34cf:4071"), SrcPort: 34892, DstPort: 22, Protocol: 6, Packets: 54, Bytes: 8855, Start: 1477913708, End: 1477913820, Action: "ACCEPT", LogStatus: "OK"})},
		{"tcp SYN from the client", v3tcp, "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK",
			Record{Version: 3, VPCID: "vpc-abcdefab012345678", SubnetID: "subnet-aaaaaaaa012345678", InstanceID: "i-01234567890123456", InterfaceID: "eni-1235b8ca123456789", AccountID: "123456789010", Type: "IPv4",
				SrcAddr: ip("52.213.180.42"), DstAddr: ip("10.0.0.62"), SrcPort: 43416, DstPort: 5001, PktSrcAddr: ip("52.213.180.42"), PktDstAddr: ip("10.0.0.62"), Protocol: 6, Bytes: 568, Packets: 8, Start: 1566848875, End: 1566848933, Action: "ACCEPT", TCPFlags: 2, LogStatus: "OK", TrafficPath: -1}},
		{"tcp SYN-ACK and FIN from the server, double blank", v3tcp, "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 10.0.0.62 52.213.180.42 5001 43638  10.0.0.62 52.213.180.42 6 967 14 1566933133 1566933193 ACCEPT 19 OK",
			Record{Version: 3, VPCID: "vpc-abcdefab012345678", SubnetID: "subnet-aaaaaaaa012345678", InstanceID: "i-01234567890123456", InterfaceID: "eni-1235b8ca123456789", AccountID: "123456789010", Type: "IPv4",
				SrcAddr: ip("10.0.0.62"), DstAddr: ip("52.213.180.42"), SrcPort: 5001, DstPort: 43638, PktSrcAddr: ip("10.0.0.62"), PktDstAddr: ip("52.213.180.42"), Protocol: 6, Bytes: 967, Packets: 14, Start: 1566933133, End: 1566933193, Action: "ACCEPT", TCPFlags: 19, LogStatus: "OK", TrafficPath: -1}},
		{"NAT gateway: instance to the gateway, final destination in pkt-dstaddr", nat, "- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5",
			none(Record{Version: -1, SrcPort: -1, DstPort: -1, Protocol: -1, InterfaceID: "eni-1235b8ca123456789", SrcAddr: ip("10.0.1.5"), DstAddr: ip("10.0.0.220"), PktSrcAddr: ip("10.0.1.5"), PktDstAddr: ip("203.0.113.5"), Packets: 0, Bytes: 0})},
		{"transit gateway interface, client in pkt-srcaddr", tgw, "3 eni-11111111111111111 123456789010 vpc-abcdefab012345678 subnet-11111111aaaaaaaaa - 10.40.1.175 10.40.2.236 39812 80 6 3 IPv4 10.20.33.164 10.40.2.236 ACCEPT OK",
			Record{Version: 3, InterfaceID: "eni-11111111111111111", AccountID: "123456789010", VPCID: "vpc-abcdefab012345678", SubnetID: "subnet-11111111aaaaaaaaa", SrcAddr: ip("10.40.1.175"), DstAddr: ip("10.40.2.236"), SrcPort: 39812, DstPort: 80, Protocol: 6, TCPFlags: 3, Type: "IPv4",
				PktSrcAddr: ip("10.20.33.164"), PktDstAddr: ip("10.40.2.236"), Action: "ACCEPT", LogStatus: "OK", TrafficPath: -1}},
		{"v5 egress to S3 through the internet gateway", v5, "5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK",
			Record{Version: 5, SrcAddr: ip("10.0.0.71"), DstAddr: ip("52.95.128.179"), SrcPort: 34210, DstPort: 80, Protocol: 6, Start: 1616729292, End: 1616729349, Type: "IPv4", Packets: 7, Bytes: 471, AccountID: "123456789012", VPCID: "vpc-abcdefab012345678",
				SubnetID: "subnet-aaaaaaaa012345678", InstanceID: "i-0c50d5961bcb2d47b", InterfaceID: "eni-1235b8ca123456789", Region: "ap-southeast-2", AZID: "apse2-az3", Action: "ACCEPT", TCPFlags: 3,
				PktSrcAddr: ip("10.0.0.71"), PktDstAddr: ip("52.95.128.179"), PktDstAWSService: "S3", TrafficPath: 8, FlowDirection: Egress, LogStatus: "OK"}},
		{"v5 ingress from S3: traffic-path not supported on ingress", v5, "5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK",
			Record{Version: 5, SrcAddr: ip("52.95.128.179"), DstAddr: ip("10.0.0.71"), SrcPort: 80, DstPort: 34210, Protocol: 6, Start: 1616729292, End: 1616729349, Type: "IPv4", Packets: 14, Bytes: 15044, AccountID: "123456789012", VPCID: "vpc-abcdefab012345678",
				SubnetID: "subnet-aaaaaaaa012345678", InstanceID: "i-0c50d5961bcb2d47b", InterfaceID: "eni-1235b8ca123456789", Region: "ap-southeast-2", AZID: "apse2-az3", Action: "ACCEPT", TCPFlags: 19,
				PktSrcAddr: ip("52.95.128.179"), PktDstAddr: ip("10.0.0.71"), PktSrcAWSService: "S3", TrafficPath: -1, FlowDirection: Ingress, LogStatus: "OK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.line + "\n"
			if tt.header != "" {
				text = tt.header + "\n" + text
			}
			s := NewScanner("example.log", strings.NewReader(text), nil)
			require.True(t, s.Next(), "%v", s.Err())
			got, err := s.Record()
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.False(t, s.Next())
			require.NoError(t, s.Err())
			assert.Equal(t, int64(1), s.Stats().Records)
		})
	}
}

// NODATA and SKIPDATA (the guide's examples) are counted, not records and
// not errors.
func TestNoDataSkipDataCounted(t *testing.T) {
	text := strings.Join([]string{
		"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
		"2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
		"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
		"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
	}, "\n")
	s := NewScanner("a.log", strings.NewReader(text), nil)
	n := 0
	for s.Next() {
		n++
	}
	require.NoError(t, s.Err())
	assert.Equal(t, 1, n)
	assert.Equal(t, Stats{Lines: 4, Records: 1, NoData: 2, SkipData: 1}, s.Stats())
}

func gz(t *testing.T, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write([]byte(text))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

const (
	v5header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags flow-direction pkt-srcaddr pkt-dstaddr"
	v5record = "5 111122223333 eni-0a 10.0.1.10 10.0.2.20 40000 7200 6 3 180 1700000000 1700000060 ACCEPT OK 2 ingress 10.0.1.10 10.0.2.20"
)

func TestHeaderAndGzip(t *testing.T) {
	text := v5header + "\n" + v5record + "\n" + v5record + "\r\n"
	for name, data := range map[string][]byte{"plain": []byte(text), "gzip": gz(t, text)} {
		t.Run(name, func(t *testing.T) {
			s := NewScanner("x", bytes.NewReader(data), nil)
			n := 0
			for s.Next() {
				n++
				assert.Equal(t, "eni-0a", string(s.Field(InterfaceID)))
				assert.Equal(t, "ingress", string(s.Field(FlowDirection)))
				assert.Nil(t, s.Field(VPCID))
			}
			require.NoError(t, s.Err())
			assert.Equal(t, 2, n)
			assert.Equal(t, 5, s.Format().Version())
		})
	}
}

// A format given for headerless lines (CloudWatch Logs) is used, and a
// header still wins over it.
func TestExplicitFormat(t *testing.T) {
	f, err := ParseFormat("${interface-id} ${srcaddr} ${dstaddr} ${dstport} ${protocol} ${action}")
	require.NoError(t, err)
	s := NewScanner("cw", strings.NewReader("eni-1 10.0.0.1 10.0.0.2 443 6 ACCEPT\n"), &f)
	require.True(t, s.Next())
	assert.Equal(t, "443", string(s.Field(DstPort)))
	require.NoError(t, s.Err())

	s = NewScanner("s3", strings.NewReader(v5header+"\n"+v5record+"\n"), &f)
	require.True(t, s.Next())
	assert.Equal(t, "7200", string(s.Field(DstPort)))
}

func TestBadInput(t *testing.T) {
	okGz := gz(t, v5header+"\n"+strings.Repeat(v5record+"\n", 2000))
	tests := []struct {
		name  string
		data  []byte
		want  []string // each error's text, in order
		stats Stats
	}{
		{"wrong field count", []byte(v5header + "\n" + v5record + "\n5 111122223333 eni-0a 10.0.1.10\n" + v5record + "\n"),
			[]string{"f:3: 4 fields, but the format has 18 (" + v5header + ")"}, Stats{Lines: 4, Records: 2, Bad: 1}},
		{"unknown field in header", []byte("version interface-id srcadr dstaddr\n"),
			[]string{`f:1: header: flow-log format "version interface-id srcadr dstaddr": unknown field "srcadr"`}, Stats{Lines: 1}},
		{"unknown log-status", []byte("2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 1 1 1 ACCEPT MAYBE\n"),
			[]string{`f:1: log-status "MAYBE" is not OK, NODATA or SKIPDATA`}, Stats{Lines: 1, Bad: 1}},
		{"truncated gzip", okGz[:len(okGz)/2],
			[]string{"f:", "cannot read past line", "unexpected end of the gzip stream (is the file truncated?)"}, Stats{}},
		{"not a number", []byte("2 1 eni-1 10.0.0.1 10.0.0.2 1 x22 6 1 1 1 1 ACCEPT OK\n"),
			[]string{`f:1: dstport "x22" is not a number from 0 to 65535`}, Stats{Lines: 1, Bad: 1}},
		{"port out of range", []byte("2 1 eni-1 10.0.0.1 10.0.0.2 1 70000 6 1 1 1 1 ACCEPT OK\n"),
			[]string{`f:1: dstport "70000" is not a number from 0 to 65535`}, Stats{Lines: 1, Bad: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewScanner("f", bytes.NewReader(tt.data), nil)
			for s.Next() {
				_, _ = s.Record()
			}
			err := s.Err()
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			if tt.stats != (Stats{}) {
				assert.Equal(t, tt.stats, s.Stats())
			}
		})
	}
}

// A file of garbage reports the first bad lines and counts the rest, so the
// message stays readable and nothing is silently dropped.
func TestManyBadLinesCapped(t *testing.T) {
	s := NewScanner("g", strings.NewReader(strings.Repeat("1 2 3\n", 25)), nil)
	for s.Next() {
	}
	require.Len(t, s.Errors(), maxLineErrors)
	assert.Contains(t, s.Err().Error(), "g: 15 more bad lines")
	assert.Equal(t, int64(25), s.Stats().Bad)
}

func TestParseFormat(t *testing.T) {
	f, err := ParseFormat("${version} ${interface-id} ${tcp-flags} ${flow-direction}")
	require.NoError(t, err)
	assert.Equal(t, []Field{Version, InterfaceID, TCPFlags, FlowDirection}, f.Fields())
	assert.Equal(t, 5, f.Version())
	assert.Equal(t, "version interface-id tcp-flags flow-direction", f.String())
	assert.Equal(t, 2, DefaultFormat.Version())
	assert.Equal(t, 14, DefaultFormat.Len())

	_, err = ParseFormat("version bogus srcaddr srcaddr other")
	require.Error(t, err)
	for _, w := range []string{`unknown field "bogus"`, `field "srcaddr" appears twice`, `unknown field "other"`} {
		assert.Contains(t, err.Error(), w)
	}
}

// FuzzScanner: any input yields records of the format's width or errors,
// never a panic, and the counts add up.
func FuzzScanner(f *testing.F) {
	f.Add([]byte(v5header + "\n" + v5record + "\n"))
	f.Add([]byte("2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA\n"))
	f.Add([]byte("version ${x}\n-\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := NewScanner("fuzz", bytes.NewReader(data), nil)
		var n int64
		for s.Next() {
			for _, field := range s.Format().Fields() {
				require.NotNil(t, s.Field(field))
			}
			if _, err := s.Record(); err == nil {
				n++
			}
		}
		st := s.Stats()
		assert.Equal(t, n, st.Records)
		assert.LessOrEqual(t, st.Records+st.NoData+st.SkipData, st.Lines)
		if st.Bad > 0 {
			require.Error(t, s.Err())
		}
	})
}
