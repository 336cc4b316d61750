package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/legacy"
)

func TestFlows(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "a.log")
	require.NoError(t, os.WriteFile(good, []byte(
		"2 1 eni-1 10.0.0.1 10.0.0.2 40000 22 6 3 180 100 160 ACCEPT OK\n"+
			"2 1 eni-1 10.0.0.1 10.0.0.2 40002 22 6 1 60 200 260 ACCEPT OK\n"), 0o644))
	code, stdout, errs := runCLI("flows", "--csv", good)
	require.Equal(t, exitOK, code, errs)
	assert.Equal(t, "interface_id,srcaddr,dstaddr,dstport,protocol,action,flow_direction,pkt_srcaddr,pkt_dstaddr,records,packets,bytes,tcp_flags,first_start,last_end\n"+
		"eni-1,10.0.0.1,10.0.0.2,22,6,ACCEPT,,,,2,4,240,0,100,260\n", stdout)
	assert.Equal(t, "1 files: 2 records (0 NODATA, 0 SKIPDATA, 0 bad) in 1 tuples\n", errs)

	bad := filepath.Join(dir, "b.log")
	require.NoError(t, os.WriteFile(bad, []byte("2 1 eni-1 10.0.0.1\n"), 0o644))
	code, _, errs = runCLI("flows", good, bad)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "b.log:1: 4 fields, but the format has 14")

	code, _, errs = runCLI("flows", "--log-format", "${version} ${nope}", good)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, `unknown field "nope"`)
}

// flows --csv's output read back with --athena-csv is the same tuples (the
// format Athena's result has), and --since/--until keep the records that
// start in the window.
func TestFlowsAthenaCSVAndWindow(t *testing.T) {
	logs := write(t, "a.log", "2 1 eni-1 10.0.0.1 10.0.0.2 40000 22 6 3 180 1795737500 1795737560 ACCEPT OK\n"+
		"2 1 eni-1 10.0.0.1 10.0.0.2 40002 22 6 1 60 1795737600 1795737660 ACCEPT OK\n"+
		"2 1 eni-2 10.0.0.3 10.0.0.2 40004 443 6 1 60 1795824000 1795824060 REJECT OK\n")
	code, all, errs := runCLI("flows", "--csv", logs)
	require.Equal(t, exitOK, code, errs)
	result := write(t, "result.csv", all)
	code, again, errs := runCLI("flows", "--csv", "--athena-csv", result)
	require.Equal(t, exitOK, code, errs)
	assert.Equal(t, all, again)
	assert.Equal(t, "1 files: 3 records (0 NODATA, 0 SKIPDATA, 0 bad) in 2 tuples\n", errs)

	// The 27th of November 2026 (UTC) starts at 1795737600.
	code, day, errs := runCLI("flows", "--csv", "--since", "2026-11-27", "--until", "2026-11-28", logs)
	require.Equal(t, exitOK, code, errs)
	assert.Equal(t, "interface_id,srcaddr,dstaddr,dstport,protocol,action,flow_direction,pkt_srcaddr,pkt_dstaddr,records,packets,bytes,tcp_flags,first_start,last_end\n"+
		"eni-1,10.0.0.1,10.0.0.2,22,6,ACCEPT,,,,1,1,60,0,1795737600,1795737660\n", day)
	assert.Equal(t, "1 files: 1 records (0 NODATA, 0 SKIPDATA, 0 bad) in 1 tuples\n2 records outside the window skipped\n", errs)
}

func TestFlowsAthenaSQL(t *testing.T) {
	code, stdout, errs := runCLI("flows", "--athena-sql", "--table", "logs.vpc_flow_logs", "--since", "2026-11-27T00:00:00Z")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, stdout, `coalesce(bitwise_or_agg("tcp_flags"), 0) AS "tcp_flags",`)
	assert.Contains(t, stdout, "FROM \"logs\".\"vpc_flow_logs\"\nWHERE \"log_status\" = 'OK'\n  AND \"start\" >= 1795737600\nGROUP BY")

	// README's example is this command's output, abridged at "...".
	const readmeCommand = "$ servicemesh flows --athena-sql --table flowlogs.vpc_flow_logs --since 2026-11-26 --until 2026-11-27\n"
	readme, err := os.ReadFile("../../../README.md")
	require.NoError(t, err)
	_, example, ok := strings.Cut(string(readme), readmeCommand)
	require.True(t, ok, "README's --athena-sql example is gone")
	example, _, _ = strings.Cut(example, "```")
	code, stdout, errs = runCLI(strings.Fields(strings.TrimPrefix(readmeCommand, "$ servicemesh "))...)
	require.Equal(t, exitOK, code, errs)
	rest := stdout
	for _, line := range strings.Split(strings.TrimSpace(example), "\n") {
		if strings.TrimSpace(line) == "..." {
			continue
		}
		i := strings.Index(rest, line+"\n")
		require.GreaterOrEqual(t, i, 0, "README's --athena-sql example is stale at %q", line)
		rest = rest[i+len(line):]
	}

	code, stdout, errs = runCLI("flows", "--athena-sql", "--table", "t", "--log-format", "${interface-id} ${srcaddr} ${dstaddr} ${dstport} ${protocol} ${action}")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, stdout, "  0 AS \"packets\",\n")
	assert.NotContains(t, stdout, "WHERE")
}

// Every way to give records wrongly is a usage error that says what to give.
func TestFlowsUsageErrors(t *testing.T) {
	logs := write(t, "a.log", "2 1 eni-1 10.0.0.1 10.0.0.2 40000 22 6 3 180 100 160 ACCEPT OK\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no records", []string{"flows"}, "give the records: flow-log files, --s3 s3://BUCKET/PREFIX, --log-group NAME, or --athena-csv RESULT.csv"},
		{"two sources", []string{"flows", logs, "--s3", "s3://b/p"}, "give one source of records, not flow-log files and --s3"},
		{"window on a query result", []string{"flows", "--athena-csv", logs, "--since", "24h"}, "--athena-csv takes no --since, --until or --log-format"},
		{"region for files", []string{"flows", "--region", "us-east-1", logs}, "--region and --endpoint-url are for --s3 and --log-group"},
		{"bad times, both named", []string{"flows", "--since", "yesterday", "--until", "-3h", logs},
			`--since "yesterday": give a time (2026-11-27T08:00:00Z), a day (2026-11-27, its midnight UTC) or a duration before now (24h); --until "-3h"`},
		{"an empty window", []string{"flows", "--since", "2026-11-28", "--until", "2026-11-27", logs}, "--since 2026-11-28 is not before --until 2026-11-27"},
		{"a table without the query", []string{"flows", "--table", "t", logs}, "--table is for --athena-sql"},
		{"the query without a table", []string{"flows", "--athena-sql"}, "--athena-sql needs --table NAME"},
		{"the query reads nothing", []string{"flows", "--athena-sql", "--table", "t", logs}, "--athena-sql reads no records"},
		{"a bad table name", []string{"flows", "--athena-sql", "--table", "a b"}, `table "a b" is not an Athena table name`},
		{"observe, no records", []string{"observe", "--from", logs}, "give the records: flow-log files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCLI(tt.args...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, errs, tt.want)
		})
	}
}

// observe reads an aggregated result (--athena-csv) into the same report as
// the records it sums: the Athena path changes nothing downstream.
func TestObserveAthenaCSV(t *testing.T) {
	logs := write(t, "flows.log", strings.Join([]string{
		"version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags log-status",
		"5 eni-0c000000000000006 10.0.2.10 10.0.3.10 40001 3306 6 10 1000 1795000000 1795000060 ACCEPT 2 OK",
		"5 eni-0c000000000000006 10.0.2.10 10.0.3.10 40003 3306 6 20 2000 1795000060 1795000120 ACCEPT 1 OK",
		"5 eni-0c000000000000006 10.0.3.10 10.0.2.10 3306 40001 6 8 9000 1795000000 1795000060 ACCEPT 19 OK",
		"5 eni-0c000000000000006 198.51.100.7 10.0.3.10 5555 3389 6 1 40 1795000000 1795000060 REJECT 2 OK",
	}, "\n")+"\n")
	code, tuples, errs := runCLI("flows", "--csv", logs)
	require.Equal(t, exitOK, code, errs)
	result := write(t, "result.csv", tuples)
	args := []string{"observe"}
	for _, f := range legacy.Files() {
		args = append(args, "--from", f)
	}
	for _, format := range []string{"text", "json"} {
		code, fromRecords, errs := runCLI(append(args, "--format", format, logs)...)
		require.Equal(t, exitOK, code, errs)
		code, fromResult, errs := runCLI(append(args, "--format", format, "--athena-csv", result)...)
		require.Equal(t, exitOK, code, errs)
		assert.Equal(t, fromRecords, fromResult, format)
		assert.Contains(t, fromRecords, "db tcp/3306 from 10.0.2.0/24", "a rule carried traffic: the report is not empty")
	}
}
