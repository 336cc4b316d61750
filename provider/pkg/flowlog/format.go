// Package flowlog reads VPC Flow Logs records: the default version 2 format
// and custom formats up to version 5 (plus the later fields, known and
// ignored), as S3 delivery writes them (a header line naming the fields, plain
// or gzip) or as bare lines in a known format (CloudWatch Logs). It splits
// records at the byte level without allocating, so that an aggregation over
// millions of records is bounded by what it keeps, not by what it reads.
//
// Field names, versions and meanings: "Flow log records", Amazon VPC User
// Guide (flow-logs.md#flow-logs-fields).
package flowlog

import (
	"fmt"
	"sort"
	"strings"
)

// Field is one flow-log field.
type Field uint8

// The fields this package knows, in the order of the user guide's table.
const (
	Version Field = iota
	AccountID
	InterfaceID
	SrcAddr
	DstAddr
	SrcPort
	DstPort
	Protocol
	Packets
	Bytes
	Start
	End
	Action
	LogStatus
	// version 3
	VPCID
	SubnetID
	InstanceID
	TCPFlags
	Type
	PktSrcAddr
	PktDstAddr
	// version 4
	Region
	AZID
	SublocationType
	SublocationID
	// version 5
	PktSrcAWSService
	PktDstAWSService
	FlowDirection
	TrafficPath
	// version 7 (ECS) and 8: read and ignored, so a format that names them parses.
	ECSClusterARN
	ECSClusterName
	ECSContainerInstanceARN
	ECSContainerInstanceID
	ECSContainerID
	ECSSecondContainerID
	ECSServiceName
	ECSTaskDefinitionARN
	ECSTaskARN
	ECSTaskID
	RejectReason

	numFields
)

// fieldInfo is each field's name as formats and headers spell it, and the
// record version that introduced it.
var fieldInfo = [numFields]struct {
	name    string
	version int
}{
	Version: {"version", 2}, AccountID: {"account-id", 2}, InterfaceID: {"interface-id", 2},
	SrcAddr: {"srcaddr", 2}, DstAddr: {"dstaddr", 2}, SrcPort: {"srcport", 2}, DstPort: {"dstport", 2},
	Protocol: {"protocol", 2}, Packets: {"packets", 2}, Bytes: {"bytes", 2}, Start: {"start", 2},
	End: {"end", 2}, Action: {"action", 2}, LogStatus: {"log-status", 2},
	VPCID: {"vpc-id", 3}, SubnetID: {"subnet-id", 3}, InstanceID: {"instance-id", 3},
	TCPFlags: {"tcp-flags", 3}, Type: {"type", 3}, PktSrcAddr: {"pkt-srcaddr", 3}, PktDstAddr: {"pkt-dstaddr", 3},
	Region: {"region", 4}, AZID: {"az-id", 4}, SublocationType: {"sublocation-type", 4},
	SublocationID:    {"sublocation-id", 4},
	PktSrcAWSService: {"pkt-src-aws-service", 5}, PktDstAWSService: {"pkt-dst-aws-service", 5},
	FlowDirection: {"flow-direction", 5}, TrafficPath: {"traffic-path", 5},
	ECSClusterARN: {"ecs-cluster-arn", 7}, ECSClusterName: {"ecs-cluster-name", 7},
	ECSContainerInstanceARN: {"ecs-container-instance-arn", 7}, ECSContainerInstanceID: {"ecs-container-instance-id", 7},
	ECSContainerID: {"ecs-container-id", 7}, ECSSecondContainerID: {"ecs-second-container-id", 7},
	ECSServiceName: {"ecs-service-name", 7}, ECSTaskDefinitionARN: {"ecs-task-definition-arn", 7},
	ECSTaskARN: {"ecs-task-arn", 7}, ECSTaskID: {"ecs-task-id", 7},
	RejectReason: {"reject-reason", 8},
}

var fieldByName = func() map[string]Field {
	m := make(map[string]Field, numFields)
	for f := Field(0); f < numFields; f++ {
		m[fieldInfo[f].name] = f
	}
	return m
}()

// String is the field's name in a format string.
func (f Field) String() string {
	if f < numFields {
		return fieldInfo[f].name
	}
	return fmt.Sprintf("field(%d)", uint8(f))
}

// MaxFields bounds the fields of one record: every known field once.
const MaxFields = int(numFields)

// Format is the ordered fields of a record.
type Format struct {
	fields []Field
	pos    [numFields]int8 // column of each field, -1 when absent
}

// DefaultFormat is the version 2 default format, the fields of a record when
// a flow log is created without a custom format.
var DefaultFormat = mustFormat("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status")

func mustFormat(s string) Format {
	f, err := ParseFormat(s)
	if err != nil {
		panic(err)
	}
	return f
}

// ParseFormat reads a format as the EC2 API spells it ("${version}
// ${srcaddr}") or as an S3 header line spells it ("version srcaddr"). Every
// unknown or repeated field is named in one error.
func ParseFormat(s string) (Format, error) {
	var f Format
	for i := range f.pos {
		f.pos[i] = -1
	}
	var problems []string
	for _, tok := range strings.Fields(s) {
		name := strings.TrimSuffix(strings.TrimPrefix(tok, "${"), "}")
		field, ok := fieldByName[name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("unknown field %q (known: %s)", name, knownFields()))
		case f.pos[field] >= 0:
			problems = append(problems, fmt.Sprintf("field %q appears twice", name))
		default:
			f.pos[field] = int8(len(f.fields))
			f.fields = append(f.fields, field)
		}
	}
	if len(f.fields) == 0 && len(problems) == 0 {
		problems = append(problems, "no fields")
	}
	if len(problems) > 0 {
		return Format{}, fmt.Errorf("flow-log format %q: %s", s, strings.Join(problems, "; "))
	}
	return f, nil
}

func knownFields() string {
	names := make([]string, 0, numFields)
	for f := Field(0); f < numFields; f++ {
		names = append(names, fieldInfo[f].name)
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

// Len is the number of fields in a record.
func (f Format) Len() int { return len(f.fields) }

// Has reports whether records carry the field.
func (f Format) Has(field Field) bool { return field < numFields && f.pos[field] >= 0 }

// Fields are the fields in record order.
func (f Format) Fields() []Field { return append([]Field(nil), f.fields...) }

// Version is the highest record version among the fields: the version AWS
// writes in the records' version field.
func (f Format) Version() int {
	v := 2
	for _, field := range f.fields {
		v = max(v, fieldInfo[field].version)
	}
	return v
}

// String is the format as an S3 header line.
func (f Format) String() string {
	names := make([]string, len(f.fields))
	for i, field := range f.fields {
		names[i] = field.String()
	}
	return strings.Join(names, " ")
}
