package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
