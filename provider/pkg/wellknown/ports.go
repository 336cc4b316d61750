// Package wellknown is the one table of well-known ports: what they are called,
// and which are administrative or database ports that must never face the world.
package wellknown

// Kind classifies a port for the security lint.
type Kind string

const (
	Web      Kind = "web"
	Admin    Kind = "admin"
	Database Kind = "database"
	Other    Kind = "other"
)

// Port is one row of the table.
type Port struct {
	Name        string
	Protocol    string
	Port        int
	Kind        Kind
	Description string
}

// Table is sorted by protocol, then port.
var Table = []Port{
	{"ssh", "tcp", 22, Admin, "SSH"},
	{"http", "tcp", 80, Web, "HTTP"},
	{"https", "tcp", 443, Web, "HTTPS"},
	{"mysql-cluster-mgm", "tcp", 1186, Other, "MySQL Cluster management"},
	{"mssql", "tcp", 1433, Database, "Microsoft SQL Server"},
	{"oracle", "tcp", 1521, Database, "Oracle"},
	{"carbon", "tcp", 2003, Other, "Graphite carbon"},
	{"mysql-cluster-data", "tcp", 2202, Other, "MySQL Cluster data"},
	{"mysql", "tcp", 3306, Database, "MySQL"},
	{"rdp", "tcp", 3389, Admin, "RDP"},
	{"beats", "tcp", 5044, Other, "Logstash Beats"},
	{"postgresql", "tcp", 5432, Database, "PostgreSQL"},
	{"kibana", "tcp", 5601, Other, "Kibana"},
	{"redis", "tcp", 6379, Database, "Redis"},
	{"elasticsearch", "tcp", 9200, Database, "Elasticsearch"},
	{"mongodb", "tcp", 27017, Database, "MongoDB"},
	{"rdp-udp", "udp", 3389, Admin, "RDP"},
	{"statsd", "udp", 8125, Other, "StatsD"},
}

var byKey = func() map[key]Port {
	m := make(map[key]Port, len(Table))
	for _, p := range Table {
		m[key{p.Protocol, p.Port}] = p
	}
	return m
}()

type key struct {
	protocol string
	port     int
}

// Lookup finds a port by protocol (tcp, udp) and number.
func Lookup(protocol string, port int) (Port, bool) {
	p, ok := byKey[key{protocol, port}]
	return p, ok
}

// InRange returns the table's ports of the given kind that fall within
// [from, to] for the protocol; "all" (or -1) matches every protocol.
func InRange(protocol string, from, to int, kind Kind) []Port {
	var out []Port
	for _, p := range Table {
		if p.Kind != kind || (protocol != "-1" && protocol != p.Protocol) {
			continue
		}
		if p.Port >= from && p.Port <= to {
			out = append(out, p)
		}
	}
	return out
}
