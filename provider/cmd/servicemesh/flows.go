package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
)

// runFlows aggregates flow-log files into tuples: a summary on stderr, and
// with --csv every tuple, sorted, on stdout.
func runFlows(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("servicemesh flows", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("log-format", "", "")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "")
	asCSV := fs.Bool("csv", false, "")
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if len(files) == 0 {
		return usageError(stderr, "flows takes one or more flow-log files")
	}
	f, err := logFormat(*format)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	res, err := flowlog.AggregateFiles(files, f, *workers)
	st := res.Stats
	fmt.Fprintf(stderr, "%d files: %d records (%d NODATA, %d SKIPDATA, %d bad) in %d tuples\n",
		res.Files, st.Records, st.NoData, st.SkipData, st.Bad, res.Table.Len())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	if *asCSV {
		w := csv.NewWriter(stdout)
		w.Write(flowlog.CSVHeader) //nolint:errcheck // the flush reports it
		for _, t := range res.Table.Sorted() {
			w.Write(t.CSV()) //nolint:errcheck
		}
		w.Flush()
		if err := w.Error(); err != nil {
			fmt.Fprintln(stderr, err)
			return exitUsage
		}
	}
	return exitOK
}

// logFormat reads --log-format, the format of files without a header; nil
// when not given (the default format).
func logFormat(s string) (*flowlog.Format, error) {
	if s == "" {
		return nil, nil
	}
	f, err := flowlog.ParseFormat(s)
	if err != nil {
		return nil, fmt.Errorf("--log-format: %w", err)
	}
	return &f, nil
}
