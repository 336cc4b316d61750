package flowlive_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlive"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/flowgen"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/moto"
)

// benchFiles are three gzip files of recent records (moto, like CloudWatch
// Logs, refuses events older than 14 days), 10 minutes apart.
func benchFiles(t *testing.T) ([]string, int64) {
	start := time.Now().Add(-2*time.Hour).Unix() / 3600 * 3600
	paths, err := flowgen.BenchFiles(t.TempDir(), flowgen.BenchSpec{Files: 3, Records: 400, Tuples: 300, Seed: 5, Start: start})
	require.NoError(t, err)
	return paths, start
}

// fromFiles is what the files give in the window: the oracle.
func fromFiles(t *testing.T, paths []string, format *flowlog.Format, w flowlog.Window) flowlog.Result {
	res, err := flowlog.Aggregate(flowlog.FileSources(paths), format, w, 2)
	require.NoError(t, err)
	return res
}

// Files delivered to S3 under the AWSLogs/... layout, read back by bucket
// and prefix, give the files' tuples; with a window, files stamped outside
// it are not read (a copy of the first file, stamped two days later, would
// double its records) and records outside it are dropped.
func TestS3Moto(t *testing.T) {
	endpoint := moto.Start(t)
	ctx := context.Background()
	paths, start := benchFiles(t)
	client := s3.NewFromConfig(moto.Config(t), func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint); o.UsePathStyle = true })
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("flow-logs")})
	require.NoError(t, err)
	put := func(stamp time.Time, path string) {
		key := fmt.Sprintf("team/AWSLogs/111122223333/vpcflowlogs/us-east-1/%s/111122223333_vpcflowlogs_us-east-1_fl-0123456789abcdef0_%s_%08x.log.gz",
			stamp.UTC().Format("2006/01/02"), stamp.UTC().Format("20060102T1504Z"), stamp.Unix())
		body, err := os.ReadFile(path)
		require.NoError(t, err)
		_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("flow-logs"), Key: aws.String(key), Body: bytes.NewReader(body)})
		require.NoError(t, err)
	}
	for i, p := range paths {
		put(time.Unix(start+int64(i)*600+5*60, 0), p) // delivered 5 minutes after the file's records start
	}
	put(time.Unix(start+2*86400, 0), paths[0])
	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("flow-logs"), Key: aws.String("team/AWSLogs/111122223333/vpcflowlogs/README.txt"), Body: strings.NewReader("x")})
	require.NoError(t, err)

	window := flowlog.Window{Since: time.Unix(start+30, 0), Until: time.Unix(start+900, 0)}
	want := fromFiles(t, paths, nil, window)
	require.Greater(t, want.Stats.Outside, int64(0))
	src := flowlive.S3{URL: "s3://flow-logs/team/", Window: window, Region: "us-east-1", Endpoint: endpoint}
	sources, skipped, err := src.Sources(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, skipped, "README.txt")
	assert.Len(t, sources, 3, "the copy stamped two days later is not read")
	got, err := flowlog.Aggregate(sources, nil, window, 2)
	require.NoError(t, err)
	assert.Equal(t, want.Table.Sorted(), got.Table.Sorted())
	assert.Equal(t, want.Stats, got.Stats)

	_, _, err = flowlive.S3{URL: "flow-logs/team", Region: "us-east-1", Endpoint: endpoint}.Sources(ctx)
	assert.ErrorContains(t, err, `--s3 "flow-logs/team": give s3://BUCKET/PREFIX`)
	_, _, err = flowlive.S3{URL: "s3://flow-logs/elsewhere/", Region: "us-east-1", Endpoint: endpoint}.Sources(ctx)
	assert.ErrorContains(t, err, "no flow-log files under s3://flow-logs/elsewhere/ (0 other objects)")
	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("flow-logs"), Body: strings.NewReader("PAR1"),
		Key: aws.String("pq/AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/27/111122223333_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261127T1005Z_0a1b2c3d.log.parquet")})
	require.NoError(t, err)
	_, _, err = flowlive.S3{URL: "s3://flow-logs/pq/", Region: "us-east-1", Endpoint: endpoint}.Sources(ctx)
	assert.ErrorContains(t, err, "20261127T1005Z_0a1b2c3d.log.parquet: Parquet flow logs are not read here")
	_, _, err = flowlive.S3{URL: "s3://no-such-bucket/", Region: "us-east-1", Endpoint: endpoint}.Sources(ctx)
	assert.ErrorContains(t, err, "listing s3://no-such-bucket/")
}

// Records published to a log group, one event each (timestamp: the record's
// start, as VPC Flow Logs publishes them), read back with the format given
// for the group, give the files' tuples, with and without a window.
func TestLogsMoto(t *testing.T) {
	endpoint := moto.Start(t)
	ctx := context.Background()
	paths, start := benchFiles(t)
	client := cloudwatchlogs.NewFromConfig(moto.Config(t), func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(endpoint) })
	group := "/vpc/flow-logs"
	_, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
	require.NoError(t, err)
	// One stream per interface, as VPC Flow Logs writes them.
	streams := map[string][]cwltypes.InputLogEvent{}
	for _, p := range paths {
		for _, line := range records(t, p) {
			fields := strings.Fields(line)
			ts, err := strconv.ParseInt(fields[10], 10, 64) // start
			require.NoError(t, err)
			streams[fields[2]] = append(streams[fields[2]], cwltypes.InputLogEvent{Message: aws.String(line), Timestamp: aws.Int64(ts * 1000)})
		}
	}
	for eni, events := range streams {
		_, err := client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(eni + "-all")})
		require.NoError(t, err)
		slices.SortStableFunc(events, func(a, b cwltypes.InputLogEvent) int { return int(*a.Timestamp - *b.Timestamp) })
		out, err := client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(eni + "-all"), LogEvents: events})
		require.NoError(t, err)
		require.Nil(t, out.RejectedLogEventsInfo)
	}
	format, err := flowlog.ParseFormat(flowgen.BenchHeader)
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		window flowlog.Window
	}{
		{"every event", flowlog.Window{}},
		// The service filters by timestamp, so no record arrives outside.
		{"a window", flowlog.Window{Since: time.Unix(start+30, 0), Until: time.Unix(start+900, 0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := fromFiles(t, paths, nil, tc.window)
			src, err := flowlive.Logs{Group: group, Window: tc.window, Region: "us-east-1", Endpoint: endpoint}.Source(ctx)
			require.NoError(t, err)
			got, err := flowlog.Aggregate([]flowlog.Source{src}, &format, tc.window, 1)
			require.NoError(t, err)
			assert.Equal(t, want.Table.Sorted(), got.Table.Sorted())
			assert.Equal(t, want.Stats.Records, got.Stats.Records)
			assert.Zero(t, got.Stats.Outside)
		})
	}

	src, err := flowlive.Logs{Group: "/vpc/none", Region: "us-east-1", Endpoint: endpoint}.Source(ctx)
	require.NoError(t, err)
	_, err = flowlog.Aggregate([]flowlog.Source{src}, &format, flowlog.Window{}, 1)
	assert.ErrorContains(t, err, "log group /vpc/none:1: cannot read past line 0: FilterLogEvents:")
}

// records are a gzip flow-log file's lines after its header.
func records(t *testing.T, path string) []string {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	var lines []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	require.NoError(t, sc.Err())
	return lines[1:]
}
