package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlive"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
)

// flowInput is where flows and observe read records: files, Athena query
// results, an S3 destination or a CloudWatch Logs log group, and over which
// window of time.
type flowInput struct {
	logFormat        string
	athenaCSV        []string
	s3URL, logGroup  string
	since, until     string
	region, endpoint string
}

func (in *flowInput) register(fs *flag.FlagSet) {
	in.registerRecords(fs)
	fs.StringVar(&in.region, "region", "", "")
	fs.StringVar(&in.endpoint, "endpoint-url", "", "")
}

// registerRecords registers every flag but --region and --endpoint-url,
// for a command (import) whose own --region and --endpoint-url, read for
// EC2, serve the record source too: one AWS configuration for both.
func (in *flowInput) registerRecords(fs *flag.FlagSet) {
	fs.StringVar(&in.logFormat, "log-format", "", "")
	fs.Func("athena-csv", "", func(s string) error { in.athenaCSV = append(in.athenaCSV, s); return nil })
	fs.StringVar(&in.s3URL, "s3", "", "")
	fs.StringVar(&in.logGroup, "log-group", "", "")
	fs.StringVar(&in.since, "since", "", "")
	fs.StringVar(&in.until, "until", "", "")
}

// parsed is --log-format and the window: what every command reading
// records needs before it reads them.
func (in *flowInput) parsed(now time.Time) (*flowlog.Format, flowlog.Window, error) {
	f, err := logFormat(in.logFormat)
	if err != nil {
		return nil, flowlog.Window{}, err
	}
	w, err := in.window(now)
	return f, w, err
}

// window is --since and --until; now anchors durations.
func (in *flowInput) window(now time.Time) (flowlog.Window, error) {
	var w flowlog.Window
	var problems []string
	for _, b := range []struct {
		flag, value string
		t           *time.Time
	}{{"since", in.since, &w.Since}, {"until", in.until, &w.Until}} {
		if b.value == "" {
			continue
		}
		t, err := parseWhen(b.value, now)
		if err != nil {
			problems = append(problems, fmt.Sprintf("--%s %q: give a time (2026-11-27T08:00:00Z), a day (2026-11-27, its midnight UTC) or a duration before now (24h)", b.flag, b.value))
		}
		*b.t = t
	}
	if problems == nil && !w.Since.IsZero() && !w.Until.IsZero() && !w.Since.Before(w.Until) {
		problems = append(problems, fmt.Sprintf("--since %s is not before --until %s", in.since, in.until))
	}
	if problems != nil {
		return w, errors.New(strings.Join(problems, "; "))
	}
	return w, nil
}

func parseWhen(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return time.Time{}, errors.New("not a time")
	}
	return now.Add(-d), nil
}

// check is the usage errors: exactly one source, and flags that fit it.
func (in *flowInput) check(files []string) error {
	if err := in.checkRecords(files); err != nil {
		return err
	}
	if (in.region != "" || in.endpoint != "") && !in.live() {
		return errors.New("--region and --endpoint-url are for --s3 and --log-group")
	}
	return nil
}

// live says whether the records are read from AWS (S3 or CloudWatch Logs).
func (in *flowInput) live() bool { return in.s3URL != "" || in.logGroup != "" }

// checkRecords is check but for --region and --endpoint-url, which a
// command reading EC2 live uses for EC2 too.
func (in *flowInput) checkRecords(files []string) error {
	var given []string
	for _, s := range []struct {
		name string
		set  bool
	}{{"flow-log files", len(files) > 0}, {"--athena-csv", len(in.athenaCSV) > 0}, {"--s3", in.s3URL != ""}, {"--log-group", in.logGroup != ""}} {
		if s.set {
			given = append(given, s.name)
		}
	}
	switch {
	case len(given) == 0:
		return errors.New("give the records: flow-log files, --s3 s3://BUCKET/PREFIX, --log-group NAME, or --athena-csv RESULT.csv")
	case len(given) > 1:
		return fmt.Errorf("give one source of records, not %s", strings.Join(given, " and "))
	case len(in.athenaCSV) > 0 && (in.since != "" || in.until != "" || in.logFormat != ""):
		return errors.New("--athena-csv takes no --since, --until or --log-format: the query applied them (servicemesh flows --athena-sql)")
	}
	return nil
}

// names names the records read, for a report's evidence: the files, or
// the bucket or log group.
func (in *flowInput) names(files []string) []string {
	switch {
	case len(in.athenaCSV) > 0:
		return in.athenaCSV
	case in.s3URL != "":
		return []string{in.s3URL}
	case in.logGroup != "":
		return []string{"log group " + in.logGroup}
	}
	return files
}

// read aggregates the records of the one source given (check passed), and
// says what it skipped, if anything.
func (in *flowInput) read(ctx context.Context, files []string, format *flowlog.Format, w flowlog.Window, workers int, splitAt ...int64) (flowlog.Result, string, error) {
	switch {
	case len(in.athenaCSV) > 0:
		res, err := flowlog.AggregateTupleCSV(in.athenaCSV)
		return res, "", err
	case in.s3URL != "":
		sources, skipped, err := flowlive.S3{URL: in.s3URL, Window: w, Region: in.region, Endpoint: in.endpoint}.Sources(ctx)
		if err != nil {
			return flowlog.Result{Table: flowlog.NewTable()}, "", err
		}
		var note string
		if skipped > 0 {
			note = fmt.Sprintf("%d objects under %s are not flow-log files: skipped", skipped, in.s3URL)
		}
		res, err := flowlog.Aggregate(sources, format, w, workers, splitAt...)
		return res, note, err
	case in.logGroup != "":
		src, err := flowlive.Logs{Group: in.logGroup, Window: w, Region: in.region, Endpoint: in.endpoint}.Source(ctx)
		if err != nil {
			return flowlog.Result{Table: flowlog.NewTable()}, "", err
		}
		res, err := flowlog.Aggregate([]flowlog.Source{src}, format, w, 1, splitAt...)
		return res, "", err
	}
	res, err := flowlog.Aggregate(flowlog.FileSources(files), format, w, workers, splitAt...)
	return res, "", err
}
