package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/reach"
)

const reachUsage = `usage:
  servicemesh reach --from A --to B --port TRAFFIC [--ephemeral LO-HI] [--format text|json] FILE...
  servicemesh reach --from A --to B --port TRAFFIC --region R --vpc-id V [--endpoint-url URL] [...]

Can A reach B on TRAFFIC, the reply included, through both layers: the
security groups (stateful) and the subnets' network ACLs (stateless, so the
reply to the client's ephemeral ports is checked too)? If not, which layer
and which rule refuses. Offline, from the JSON of aws ec2
describe-security-groups, describe-network-interfaces, describe-subnets and
describe-network-acls (FILE..., one per command or merged), or live.

A and B are each a network interface id (eni-...), an IP address (one no
interface holds is outside the VPC: only the other end's layers apply), or
a security group's id, name or service (its Service tag): every interface
carrying it, yes only when every pair passes. TRAFFIC is tcp/443,
tcp/8000-8080, udp/53, icmp/8 or all. --ephemeral is the client's source
port range replies go to (default 1024-65535, the widest AWS documents;
Linux clients use 32768-60999).

Routes, gateways and prefix-list contents are not read.

Exit status: 0 reachable; 3 refused; 2 usage, unreadable input or an
endpoint that names nothing.
`

const exitRefused = 3

func runReach(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("servicemesh reach", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "")
	to := fs.String("to", "", "")
	port := fs.String("port", "", "")
	ephemeral := fs.String("ephemeral", "", "")
	format := fs.String("format", "text", "")
	src := source{network: true}
	fs.StringVar(&src.region, "region", "", "")
	fs.StringVar(&src.vpcID, "vpc-id", "", "")
	fs.StringVar(&src.endpoint, "endpoint-url", "", "")
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, reachUsage)
		return exitOK
	}
	src.from = files
	q := reach.Query{From: *from, To: *to}
	show := map[string]func(reach.Answer) string{"text": reach.Text, "json": reach.JSON}[*format]
	switch {
	case err != nil:
	case *from == "" || *to == "" || *port == "":
		err = errors.New("--from, --to and --port are required")
	case len(files) == 0 && src.region == "":
		err = errors.New("give the describe JSON FILEs, or --region R --vpc-id V")
	case len(files) > 0 && src.region != "":
		err = errors.New("give FILEs or --region, not both")
	case show == nil:
		err = fmt.Errorf("unknown --format %q: use text or json", *format)
	}
	if err == nil {
		q.Traffic, err = ports.ParseRange(*port)
	}
	if err == nil && *ephemeral != "" {
		q.Ephemeral, err = ports.ParseRange("tcp/" + *ephemeral)
		if err != nil {
			err = fmt.Errorf("--ephemeral %q: write it as LO-HI, e.g. 32768-60999", *ephemeral)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh reach: %v\n\n%s", err, reachUsage)
		return exitUsage
	}
	a, err := src.read()
	if err == nil {
		var ans reach.Answer
		if ans, err = reach.Evaluate(a, q); err == nil {
			fmt.Fprint(stdout, show(ans))
			if !ans.Allowed {
				return exitRefused
			}
			return exitOK
		}
	}
	fmt.Fprintf(stderr, "servicemesh reach: %v\n", err)
	return exitUsage
}
