package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/proposal"
)

const importUsage = `usage:
  servicemesh import --from FILE [--from FILE ...] [--vpc-id V] [--tier NAME=CIDR ...] [-o OUT [--force]]
  servicemesh import --region R --vpc-id V [--endpoint-url URL] [--tier NAME=CIDR ...] [-o OUT [--force]]
  servicemesh import ... --flows FLOWLOG [--flows FLOWLOG ...] [--log-format FORMAT] [FLOWLOG ...]
  servicemesh import ... (--s3 s3://BUCKET/PREFIX | --log-group NAME | --athena-csv RESULT.csv)
                         [--since WHEN] [--until WHEN] [--log-format FORMAT]

Proposes a ServiceMesh declaration from security groups that exist, and a
migration report. --from reads the JSON of aws ec2 describe-security-groups
(and, for rule ids and network interfaces, describe-security-group-rules and
describe-network-interfaces); --region reads EC2 live with the standard
credential chain. --tier flags, outermost first, place each service in the
tier its network interfaces' addresses fall in.

With --flows (VPC Flow Logs files, as servicemesh observe reads them; files
after the flags are flow logs too), an ingress CIDR rule whose every
observed caller carries the group of one imported service becomes rules
from those services' groups; the report says which rules were tightened,
from what evidence (records, files, window), and which stayed CIDRs and
why. The new rules do not exist yet: adopt does not list them, and pulumi
up creates them. The records may come from where observe reads them (--s3,
--log-group, --athena-csv, --since, --until); one --region and
--endpoint-url serve both EC2 and the records (with --from, only the
records).

The declaration goes to OUT (default stdout); the report to OUT.report.md
(default stderr). An existing OUT or report is never overwritten (it may be
the declaration you have edited since) unless --force is given.
`

// source is the --from / --region flags every command that reads EC2 shares.
type source struct {
	from                    multiFlag
	region, vpcID, endpoint string
	// network reads subnets and network ACLs too (reach).
	network bool
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (s *source) register(fs *flag.FlagSet) {
	fs.Var(&s.from, "from", "")
	fs.StringVar(&s.region, "region", "", "")
	fs.StringVar(&s.vpcID, "vpc-id", "", "")
	fs.StringVar(&s.endpoint, "endpoint-url", "", "")
}

// read reads the account, limited to --vpc-id when given.
func (s *source) read() (*ec2read.Account, error) {
	var a *ec2read.Account
	var err error
	switch {
	case len(s.from) > 0 && s.region != "":
		return nil, fmt.Errorf("give --from FILE or --region R, not both")
	case len(s.from) > 0:
		a, err = ec2read.ReadFiles(s.from...)
	case s.region != "":
		if s.vpcID == "" {
			return nil, fmt.Errorf("--region needs --vpc-id: the mesh is one VPC's groups")
		}
		a, err = ec2read.Live{Region: s.region, VpcID: s.vpcID, Endpoint: s.endpoint, Network: s.network}.Read(context.Background())
	default:
		return nil, fmt.Errorf("give --from FILE (aws ec2 describe-security-groups output) or --region R --vpc-id V")
	}
	if err != nil {
		return nil, err
	}
	if s.vpcID != "" {
		a = a.InVPC(s.vpcID)
		if len(a.Groups) == 0 {
			return nil, fmt.Errorf("%s has no security groups in %s", a.Source, s.vpcID)
		}
	}
	return a, nil
}

func runImport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("servicemesh import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var src source
	src.register(fs)
	var tierFlags multiFlag
	fs.Var(&tierFlags, "tier", "")
	out := fs.String("o", "", "")
	force := fs.Bool("force", false, "")
	var flowFiles multiFlag
	fs.Var(&flowFiles, "flows", "")
	var in flowInput
	in.registerRecords(fs)
	rest, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, importUsage)
		return exitOK
	}
	in.region, in.endpoint = src.region, src.endpoint
	withFlows := len(flowFiles) > 0 || len(in.athenaCSV) > 0 || in.live()
	switch {
	case err != nil:
	case withFlows:
		flowFiles = append(flowFiles, rest...) // --flows logs/*.gz: the shell's expansion
		err = in.checkRecords(flowFiles)
	case len(rest) > 0:
		err = fmt.Errorf("import takes no file arguments; got %q (use --from FILE, or --flows FLOWLOG)", rest)
	case in.logFormat != "" || in.since != "" || in.until != "":
		err = errors.New("--log-format, --since and --until go with the flow logs: --flows, --s3 or --log-group")
	}
	if err == nil && len(src.from) > 0 && (src.region != "" || src.endpoint != "") {
		if !in.live() {
			err = errors.New("give --from FILE or --region R, not both: with --from the security groups come from files, and --region and --endpoint-url serve only flow logs read from --s3 or --log-group")
		}
		// EC2 comes from the files; the region and endpoint are the records'.
		src.region, src.endpoint = "", ""
	}
	if err == nil && *force && *out == "" {
		err = errors.New("--force goes with -o OUT: it lets import overwrite OUT")
	}
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh import: %v\n\n%s", err, importUsage)
		return exitUsage
	}
	report := strings.TrimSuffix(*out, ".yaml") + ".report.md"
	if *out != "" && !*force {
		// Checked before reading EC2, so a refusal costs nothing.
		for _, path := range []string{*out, report} {
			if _, err := os.Lstat(path); err == nil {
				fmt.Fprintf(stderr, "servicemesh import: %s exists (it may hold your edits); fix: choose another -o, or add --force to overwrite it\n", path)
				return exitUsage
			}
		}
	}
	tiers, err := proposal.ParseTiers(tierFlags)
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh import: %v\n", err)
		return exitUsage
	}
	a, err := src.read()
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh import: %v\n", err)
		return exitUsage
	}
	var traffic *proposal.Traffic
	if withFlows {
		lf, window, err := in.parsed(time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "servicemesh import: %v\n", err)
			return exitUsage
		}
		res, note, err := in.read(context.Background(), flowFiles, lf, window, runtime.GOMAXPROCS(0))
		if note != "" {
			fmt.Fprintln(stderr, note)
		}
		if err != nil {
			fmt.Fprintf(stderr, "servicemesh import: %v\n", err)
			return exitUsage
		}
		traffic = &proposal.Traffic{Each: res.Table.Each, Files: in.names(flowFiles), Records: res.Stats.Records}
	}
	p, err := proposal.BuildWithTraffic(a, tiers, traffic)
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh import: %v\n", err)
		return exitFindings
	}
	y, err := p.YAML(a.Source)
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh import: %v\n", err)
		return exitFindings
	}
	if need := p.NeedTier(); len(need) > 0 {
		fmt.Fprintf(stderr, "servicemesh import: %d service(s) still need a tier (see the report): %s\n", len(need), strings.Join(need, ", "))
	}
	if *out == "" {
		fmt.Fprint(stdout, string(y))
		fmt.Fprint(stderr, p.Markdown())
		return exitOK
	}
	for path, data := range map[string][]byte{*out: y, report: []byte(p.Markdown())} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			fmt.Fprintf(stderr, "servicemesh import: %v\n", err)
			return exitUsage
		}
	}
	fmt.Fprintf(stdout, "wrote %s and %s: %d service(s), %d report item(s)\n", *out, report, len(p.Mesh.Services), len(p.Report))
	return exitOK
}
