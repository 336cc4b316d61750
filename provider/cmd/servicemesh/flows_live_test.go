package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/legacy"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/moto"
)

// TestFlowsLive: flows reads the same records from a file, from S3 (--s3)
// and from CloudWatch Logs (--log-group with --log-format), through
// --region and --endpoint-url (moto).
func TestFlowsLive(t *testing.T) {
	endpoint := moto.Start(t)
	ctx := context.Background()
	start := time.Now().Add(-time.Hour).Unix()
	var lines []string
	for i, r := range []string{"eni-1 10.0.0.1 10.0.0.2 40000 22 6 3 180", "eni-1 10.0.0.1 10.0.0.2 40002 22 6 1 60", "eni-2 10.0.0.3 10.0.0.2 40004 443 6 1 60"} {
		s := start + int64(i)*60
		lines = append(lines, "2 111122223333 "+r+" "+itoa(s)+" "+itoa(s+60)+" ACCEPT OK")
	}
	file := write(t, "a.log", strings.Join(lines, "\n")+"\n")
	code, want, errs := runCLI("flows", "--csv", file)
	require.Equal(t, exitOK, code, errs)
	live := []string{"--region", "us-east-1", "--endpoint-url", endpoint}

	s3c := s3.NewFromConfig(moto.Config(t), func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint); o.UsePathStyle = true })
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs")})
	require.NoError(t, err)
	stamp := time.Unix(start+600, 0).UTC()
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logs"), Body: strings.NewReader("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" + strings.Join(lines, "\n")),
		Key: aws.String("AWSLogs/111122223333/vpcflowlogs/us-east-1/" + stamp.Format("2006/01/02") + "/111122223333_vpcflowlogs_us-east-1_fl-0123456789abcdef0_" + stamp.Format("20060102T1504Z") + "_0a1b2c3d.log")})
	require.NoError(t, err)
	code, got, errs := runCLI(append([]string{"flows", "--csv", "--s3", "s3://logs/", "--since", "2h"}, live...)...)
	require.Equal(t, exitOK, code, errs)
	assert.Equal(t, want, got)

	cwl := cloudwatchlogs.NewFromConfig(moto.Config(t), func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(endpoint) })
	_, err = cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("flows")})
	require.NoError(t, err)
	_, err = cwl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("flows"), LogStreamName: aws.String("eni-1-all")})
	require.NoError(t, err)
	var events []cwltypes.InputLogEvent
	for i, l := range lines {
		events = append(events, cwltypes.InputLogEvent{Message: aws.String(l), Timestamp: aws.Int64((start + int64(i)*60) * 1000)})
	}
	_, err = cwl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("flows"), LogStreamName: aws.String("eni-1-all"), LogEvents: events})
	require.NoError(t, err)
	code, got, errs = runCLI(append([]string{"flows", "--csv", "--log-group", "flows", "--log-format",
		"${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"}, live...)...)
	require.Equal(t, exitOK, code, errs)
	assert.Equal(t, want, got)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// TestImportFlowsFromS3: import --s3 reads the legacy VPC's flow logs
// (test/legacy/flows.log) from a bucket in the S3 delivery's key layout,
// through the same --region and --endpoint-url, and proposes exactly what
// it proposes from the file; the report differs only in naming the bucket.
func TestImportFlowsFromS3(t *testing.T) {
	endpoint := moto.Start(t)
	dir := t.TempDir()
	fromFile := filepath.Join(dir, "file.yaml")
	code, _, errs := runCLI(append([]string{"import", "-o", fromFile, "--flows", legacy.Flows()}, legacyArgs()...)...)
	require.Equal(t, exitOK, code, errs)

	data, err := os.ReadFile(legacy.Flows())
	require.NoError(t, err)
	s3c := s3.NewFromConfig(moto.Config(t), func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint); o.UsePathStyle = true })
	_, err = s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("legacy-flows")})
	require.NoError(t, err)
	// The records start at 2026-11-18T11:06:40Z; S3 delivers them in the file of that hour.
	key := "AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/18/111122223333_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261118T1110Z_0a1b2c3d.log"
	_, err = s3c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("legacy-flows"), Key: aws.String(key), Body: bytes.NewReader(data)})
	require.NoError(t, err)

	fromS3 := filepath.Join(dir, "s3.yaml")
	code, _, errs = runCLI(append([]string{"import", "-o", fromS3, "--s3", "s3://legacy-flows/", "--since", "2026-11-18", "--until", "2026-11-19",
		"--region", "us-east-1", "--endpoint-url", endpoint}, legacyArgs()...)...)
	require.Equal(t, exitOK, code, errs)
	for _, ext := range []string{".yaml", ".report.md"} {
		want, err := os.ReadFile(strings.TrimSuffix(fromFile, ".yaml") + ext)
		require.NoError(t, err)
		got, err := os.ReadFile(strings.TrimSuffix(fromS3, ".yaml") + ext)
		require.NoError(t, err)
		// The report's one escaper puts the URL, a link on GitHub, in a code span.
		assert.Equal(t, strings.ReplaceAll(string(want), legacy.Flows()+",", "`s3://legacy-flows/,`"), string(got), ext)
	}
}
