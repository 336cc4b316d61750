package observe

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
)

func TestClassify(t *testing.T) {
	// A mesh that listens on 7200/tcp and 8125/udp.
	listening := func(protocol, port int) bool {
		return (protocol == 6 && port == 7200) || (protocol == 17 && port == 8125)
	}
	tests := []struct {
		name      string
		tuple     flowlog.Tuple
		direction Direction
		method    Method
	}{
		// The user guide's TCP flag sequence: the client's SYN (2) to 5001, the
		// server's SYN-ACK (18) back, and short connections: SYN+FIN (3),
		// SYN-ACK+FIN (19).
		{"SYN from the client", flowlog.Tuple{Protocol: 6, DstPort: 5001, TCPFlags: 2, Count: 1}, Request, ByTCPFlags},
		{"SYN-ACK from the server", flowlog.Tuple{Protocol: 6, DstPort: 43416, TCPFlags: 18, Count: 1}, Reply, ByTCPFlags},
		{"SYN and FIN in one interval", flowlog.Tuple{Protocol: 6, DstPort: 5001, TCPFlags: 3, Count: 1}, Request, ByTCPFlags},
		{"SYN-ACK and FIN in one interval", flowlog.Tuple{Protocol: 6, DstPort: 43638, TCPFlags: 19, Count: 1}, Reply, ByTCPFlags},
		// Flags win over ports: a reply to a client that used a service port as
		// its source port.
		{"SYN-ACK to a listening port", flowlog.Tuple{Protocol: 6, DstPort: 7200, TCPFlags: 18, Count: 1}, Reply, ByTCPFlags},
		// Only FIN (1): a connection opened before the window; ports decide.
		{"FIN only, to a service port", flowlog.Tuple{Protocol: 6, DstPort: 7200, TCPFlags: 1, Count: 4}, Request, ByServicePort},
		{"FIN only, to an ephemeral port", flowlog.Tuple{Protocol: 6, DstPort: 51000, TCPFlags: 1, Count: 4}, Reply, ByEphemeralPort},
		{"UDP to StatsD", flowlog.Tuple{Protocol: 17, DstPort: 8125, Count: 9}, Request, ByServicePort},
		{"UDP reply", flowlog.Tuple{Protocol: 17, DstPort: 40000, Count: 9}, Reply, ByEphemeralPort},
		{"TCP at the ephemeral floor", flowlog.Tuple{Protocol: 6, DstPort: 32768}, Reply, ByEphemeralPort},
		{"TCP just below it, not a service", flowlog.Tuple{Protocol: 6, DstPort: 32767}, Unknown, Undecided},
		{"ICMP (ports 0)", flowlog.Tuple{Protocol: 1, DstPort: 0}, Unknown, Undecided},
		{"no port", flowlog.Tuple{Protocol: -1, DstPort: -1}, Unknown, Undecided},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, m := Classify(tt.tuple, listening)
			assert.Equal(t, tt.direction, d)
			assert.Equal(t, tt.method, m)
		})
	}
	tally := Tally{}
	for _, tt := range tests {
		tally.Add(tt.tuple, listening)
	}
	assert.Equal(t, Tally{ByTCPFlags: 5, ByServicePort: 13, ByEphemeralPort: 13, Undecided: 0}, tally)
}
