package flowlive

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
)

// Logs says which CloudWatch Logs log group to read. Its events carry one
// record each, in the flow log's format, with no header: the caller gives
// the format (--log-format) to flowlog.
type Logs struct {
	Group    string
	Window   flowlog.Window
	Region   string // "" for the environment's
	Endpoint string // --endpoint-url, e.g. an emulator
}

// Source is the log group's events in the window, as a stream of lines read
// page by page with FilterLogEvents; its lines are numbered in the order the
// events come. An event's timestamp is its record's start ("Publish flow
// logs to CloudWatch Logs", Amazon VPC User Guide), so the window is asked
// of the service exactly; the reader applies it to the records as well.
func (l Logs) Source(ctx context.Context) (flowlog.Source, error) {
	if l.Group == "" || strings.ContainsAny(l.Group, " \t\n") {
		return flowlog.Source{}, fmt.Errorf("--log-group %q: give the name of the log group the flow log publishes to", l.Group)
	}
	cfg, err := ec2read.AWSConfig(ctx, l.Region, "reading flow logs from CloudWatch Logs")
	if err != nil {
		return flowlog.Source{}, err
	}
	client := cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) {
		if l.Endpoint != "" {
			o.BaseEndpoint = aws.String(l.Endpoint)
		}
	})
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(l.Group)}
	if !l.Window.Since.IsZero() {
		in.StartTime = aws.Int64(l.Window.Since.Unix() * 1000)
	}
	if !l.Window.Until.IsZero() {
		in.EndTime = aws.Int64(l.Window.Until.Unix()*1000 - 1) // the service's end is inclusive
	}
	return flowlog.Source{Name: "log group " + l.Group, Open: func() (io.ReadCloser, error) {
		r, w := io.Pipe()
		go func() {
			p := cloudwatchlogs.NewFilterLogEventsPaginator(client, in)
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					w.CloseWithError(fmt.Errorf("FilterLogEvents: %w", err))
					return
				}
				for _, e := range page.Events {
					if _, err := io.WriteString(w, aws.ToString(e.Message)+"\n"); err != nil {
						return // the reader stopped
					}
				}
			}
			w.Close()
		}()
		return r, nil
	}}, nil
}
