package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowdiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/review"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// exitGate: the change planned, but a --fail-on condition holds (warnings,
// or flows opened), so a pipeline can ask a human to approve it. Distinct
// from exitFindings: the change is valid, just not to be merged unreviewed.
const exitGate = 3

// Fail-on conditions.
const (
	failOnWarnings    = "warnings"
	failOnOpenedFlows = "opened-flows"
	// failOnBreaking: the change cuts traffic, on purpose (a flow closed) or
	// on the way (a delete-first replacement).
	failOnBreaking = "breaking"
)

// diffArgs are plan --diff's flags and files.
type diffArgs struct {
	name, format, base string
	failOn             []string
	files              []string
}

// failOnFlag collects --fail-on, repeated or comma-separated.
type failOnFlag struct{ list *[]string }

func (f failOnFlag) String() string { return "" }

func (f failOnFlag) Set(v string) error {
	for _, c := range strings.Split(v, ",") {
		if c != failOnWarnings && c != failOnOpenedFlows && c != failOnBreaking {
			return fmt.Errorf("--fail-on %q: use %s, %s or %s", c, failOnWarnings, failOnOpenedFlows, failOnBreaking)
		}
		*f.list = append(*f.list, c)
	}
	return nil
}

// runDiff is plan --diff: OLD and NEW from two files, or OLD from git.
func runDiff(a diffArgs, stdout, stderr io.Writer) int {
	want := 2
	if a.base != "" {
		want = 1
	}
	switch {
	case len(a.files) != want && a.base != "":
		return usageError(stderr, "plan --diff --base REV takes one file, NEW (OLD is REV's version of it); got %d", len(a.files))
	case len(a.files) != want:
		return usageError(stderr, "plan --diff takes two files, OLD and NEW; got %d", len(a.files))
	case a.format != "table" && a.format != "json" && a.format != "markdown":
		return usageError(stderr, "plan --diff prints --format table, json or markdown, not %q", a.format)
	case a.name == "":
		return usageError(stderr, "--name must not be empty: it is the ServiceMesh resource's name")
	}
	newPath := a.files[len(a.files)-1]
	var oldErrs strings.Builder
	oldLabel, oldData, code := readOld(a, stderr)
	if code != exitOK {
		return code
	}
	newData, err := readDeclaration(newPath)
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh: %v\n", err)
		return exitUsage
	}

	// Both sides are planned, so that every error of either is reported.
	var oldMesh spec.Mesh
	var old *plan.Plan
	oldCode := exitOK
	if oldData != nil {
		oldMesh, old, oldCode = planData(oldLabel, oldData, io.MultiWriter(stderr, &oldErrs))
	}
	newMesh, cur, code := planData(newPath, newData, stderr)
	title := fmt.Sprintf("ServiceMesh `%s` (%s)", a.name, newPath)
	if a.base != "" {
		title = fmt.Sprintf("ServiceMesh `%s` (%s against %s)", a.name, newPath, a.base)
	}
	if code != exitOK {
		if a.format == "markdown" && cur != nil {
			fmt.Fprint(stdout, review.Review{Title: title, Findings: cur.Findings}.Markdown(review.CommentLimit))
		}
		return code
	}
	broken := ""
	if oldCode != exitOK {
		// The pull request that fixes a broken base still gets its review.
		broken = fmt.Sprintf("%s could not be planned: %s", oldLabel, strings.TrimSpace(oldErrs.String()))
		if len(broken) > maxBaseError { // the review's room is for NEW; the job log has the rest
			broken = broken[:maxBaseError] + " … (the rest is in the job's log)"
		}
		oldMesh, old = spec.Mesh{}, nil
		fmt.Fprintf(stderr, "servicemesh: reviewing %s as a new mesh, since %s could not be planned\n", newPath, oldLabel)
	}
	if old != nil && (oldMesh.VpcID == "") != (newMesh.VpcID == "") {
		fmt.Fprintf(stderr, "servicemesh: vpcId is set in only one of %s and %s; taking the VPC as unchanged\n", oldLabel, newPath)
	}
	d := plandiff.Compare(a.name, orEmpty(old), cur, plandiff.WithVPCs(oldMesh.VpcID, newMesh.VpcID))
	r := review.Of(title, d, old, cur)
	r.BaseError = broken
	switch a.format {
	case "json":
		fmt.Fprint(stdout, reviewJSON(d, r))
	case "markdown":
		fmt.Fprint(stdout, r.Markdown(review.CommentLimit))
	default:
		fmt.Fprint(stdout, d.Text())
	}
	if broken != "" {
		return exitBaseBroken
	}
	for _, c := range a.failOn {
		if c == failOnWarnings && len(cur.Findings.Warnings()) > 0 ||
			c == failOnOpenedFlows && len(r.Flows.Opened) > 0 ||
			c == failOnBreaking && breaking(d, r) {
			fmt.Fprintf(stderr, "servicemesh: --fail-on %s: the change needs a reviewer's approval\n", c)
			return exitGate
		}
	}
	return exitOK
}

// breaking says the change cuts traffic: a flow closed, or a resource
// replaced delete-first (a create-first network ACL rule replacement cuts
// nothing, as the review says).
func breaking(d plandiff.Diff, r review.Review) bool {
	return len(r.Flows.Closed) > 0 || slices.ContainsFunc(d.Changes, func(c plandiff.Change) bool {
		return c.Op == plandiff.Replace && resources.ReplacesDeleteFirst(c.Type)
	})
}

// maxBaseError bounds the base's errors quoted in a review.
const maxBaseError = 4000

// orEmpty is p, or the plan of a mesh that does not exist yet.
func orEmpty(p *plan.Plan) *plan.Plan {
	if p == nil {
		return &plan.Plan{}
	}
	return p
}

// reviewJSON is the resource diff as `--format json` has always printed it,
// with the flows opened and closed, the findings and the quota changes.
func reviewJSON(d plandiff.Diff, r review.Review) string {
	out := struct {
		plandiff.Diff
		Flows    flowdiff.Diff        `json:"flows"`
		Findings finding.List         `json:"findings"`
		Quota    []review.QuotaChange `json:"quotaChanges"`
		// BaseError says why OLD could not be planned; empty when it was.
		BaseError string `json:"baseError,omitempty"`
	}{d, *r.Flows, r.Findings, r.Quota, r.BaseError}
	if out.Findings == nil {
		out.Findings = finding.List{}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil { // plain strings, numbers and slices only
		panic("encoding a review: " + err.Error())
	}
	return string(b) + "\n"
}

// readOld reads OLD: the first file, or with --base the NEW file's version
// at that git revision. Its data is nil when the file does not exist there
// (a new mesh).
func readOld(a diffArgs, stderr io.Writer) (string, []byte, int) {
	if a.base == "" {
		data, err := readDeclaration(a.files[0])
		if err != nil {
			fmt.Fprintf(stderr, "servicemesh: %v\n", err)
			return "", nil, exitUsage
		}
		return a.files[0], data, exitOK
	}
	path := a.files[0]
	label := a.base + ":" + path
	data, err := gitShow(a.base, path)
	if errors.Is(err, errNotInRevision) {
		return label, nil, exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh: --base %s: %v\n", a.base, err)
		return "", nil, exitUsage
	}
	return label, data, exitOK
}

var errNotInRevision = errors.New("no such file in the revision")

// gitShow is `git show REV:./path`, run in path's directory so the path is
// relative to it. A revision that exists without the file is errNotInRevision.
func gitShow(rev, path string) ([]byte, error) {
	dir, file := filepath.Dir(path), filepath.Base(path)
	git := func(args ...string) ([]byte, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		var errs bytes.Buffer
		cmd.Stderr = &errs
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errs.String()))
		}
		return out, nil
	}
	if _, err := git("rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return nil, fmt.Errorf("not a revision of the repository holding %s (in CI, fetch it first: actions/checkout with fetch-depth: 0)", path)
	}
	if _, err := git("cat-file", "-e", rev+":./"+file); err != nil {
		return nil, errNotInRevision
	}
	// The same bounds as for a file on disk: git shows a symbolic link as
	// the path it points to, and a blob may be of any size.
	entry, err := git("ls-tree", rev, "--", "./"+file)
	if err != nil {
		return nil, err
	}
	if mode, _, _ := strings.Cut(string(entry), " "); mode != "100644" && mode != "100755" {
		return nil, fmt.Errorf("%s at %s is not a regular file (git mode %s); the declaration must be the file itself", path, rev, mode)
	}
	size, err := git("cat-file", "-s", rev+":./"+file)
	if err != nil {
		return nil, err
	}
	if n, err := strconv.Atoi(strings.TrimSpace(string(size))); err != nil || n > spec.MaxBytes {
		return nil, fmt.Errorf("%s at %s is %s bytes, more than the %d (4 MiB) a declaration may have", path, rev, strings.TrimSpace(string(size)), spec.MaxBytes)
	}
	return git("show", rev+":./"+file)
}
