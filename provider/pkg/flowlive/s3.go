// Package flowlive reads VPC Flow Logs where AWS delivers them: objects in
// S3 and events in CloudWatch Logs, through aws-sdk-go-v2. Each is handed to
// flowlog as a Source, streamed (an object's body is never held whole), so
// the aggregation, and everything after it, is the one the files take.
package flowlive

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
)

// S3 says which delivered flow-log files to read.
type S3 struct {
	URL      string // s3://bucket/prefix
	Window   flowlog.Window
	Region   string // "" for the environment's
	Endpoint string // --endpoint-url, e.g. an emulator (then path-style addressing)
}

// logFileName is the name VPC Flow Logs gives a delivered file
// ("Flow log files", Amazon VPC User Guide, flow-logs-s3.md):
// aws_account_id_vpcflowlogs_region_flow_log_id_YYYYMMDDTHHmmZ_hash.log.gz
// under AWSLogs/aws_account_id/vpcflowlogs/region/YYYY/MM/DD/.
var logFileName = regexp.MustCompile(`(?:^|/)\d{12}_vpcflowlogs_[a-z0-9-]+_fl-[0-9a-z]+_(\d{8}T\d{4}Z)_[0-9a-z]+\.log(\.gz|\.parquet)?$`)

// Delivery slack around the window when picking files by their name's
// timestamp (when the file was written): a record is written after it
// ends, up to its aggregation interval (at most 10 minutes) plus the
// delivery delay ("typically about 10 minutes" to S3, best effort: "Flow
// log records", Amazon VPC User Guide); a file stamped an hour after the
// window is still read. The records themselves are then kept by their
// start (flowlog.Window), so the slack only costs reading.
const (
	slackBefore = 15 * time.Minute
	slackAfter  = time.Hour
)

// Sources lists the bucket under the prefix and returns a source for each
// flow-log file whose timestamp falls in the window (with slack), sorted by
// key. Keys that are not flow-log files are counted in skipped; Parquet
// files are an error (they are read with --athena-sql), and so is finding
// no file: a wrong prefix must not read as a quiet network.
func (s S3) Sources(ctx context.Context) (sources []flowlog.Source, skipped int, err error) {
	rest, isS3 := strings.CutPrefix(s.URL, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	if !isS3 || bucket == "" {
		return nil, 0, fmt.Errorf("--s3 %q: give s3://BUCKET/PREFIX, the destination the flow log delivers to", s.URL)
	}
	cfg, err := ec2read.AWSConfig(ctx, s.Region, "reading flow logs from S3")
	if err != nil {
		return nil, 0, err
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if s.Endpoint != "" {
			o.BaseEndpoint = aws.String(s.Endpoint)
			o.UsePathStyle = true
		}
	})
	var keys, parquet []string
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("listing s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			m := logFileName.FindStringSubmatch(key)
			switch {
			case m == nil:
				skipped++
			case m[2] == ".parquet":
				parquet = append(parquet, "s3://"+bucket+"/"+key)
			case s.inWindow(m[1]):
				keys = append(keys, key)
			}
		}
	}
	if parquet != nil {
		return nil, 0, fmt.Errorf("%s: Parquet flow logs are not read here: query them in Athena with the query `servicemesh flows --athena-sql` prints, or deliver text", strings.Join(parquet, ", "))
	}
	if len(keys) == 0 {
		return nil, skipped, fmt.Errorf("no flow-log files under s3://%s/%s%s (%d other objects): is the prefix the flow log's destination?", bucket, prefix, s.windowText(), skipped)
	}
	slices.Sort(keys)
	for _, key := range keys {
		sources = append(sources, flowlog.Source{Name: "s3://" + bucket + "/" + key, Open: func() (io.ReadCloser, error) {
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				return nil, err
			}
			return out.Body, nil
		}})
	}
	return sources, skipped, nil
}

func (s S3) windowText() string {
	if s.Window.IsZero() {
		return ""
	}
	return " stamped in the window"
}

// inWindow tells whether a file stamped stamp (YYYYMMDDTHHmmZ) can hold
// records that start in the window.
func (s S3) inWindow(stamp string) bool {
	t, err := time.Parse("20060102T1504Z", stamp)
	if err != nil {
		return true // a name we do not understand: read it, the records decide
	}
	w := s.Window
	return (w.Since.IsZero() || !t.Before(w.Since.Add(-slackBefore))) && (w.Until.IsZero() || t.Before(w.Until.Add(slackAfter)))
}
