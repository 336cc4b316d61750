package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
)

// runFlows aggregates flow-log records into tuples: a summary on stderr, and
// with --csv every tuple, sorted, on stdout. With --athena-sql it prints the
// query that aggregates an Athena table the same way instead.
func runFlows(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("servicemesh flows", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var in flowInput
	in.register(fs)
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "")
	asCSV := fs.Bool("csv", false, "")
	athenaSQL := fs.Bool("athena-sql", false, "")
	table := fs.String("table", "", "")
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	f, w, err := in.parsed(time.Now())
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if *athenaSQL {
		return printAthenaSQL(stdout, stderr, *table, f, w, files, in)
	}
	if *table != "" {
		return usageError(stderr, "--table is for --athena-sql")
	}
	if err := in.check(files); err != nil {
		return usageError(stderr, "%v", err)
	}
	res, note, err := in.read(context.Background(), files, f, w, *workers)
	st := res.Stats
	fmt.Fprintf(stderr, "%d files: %d records (%d NODATA, %d SKIPDATA, %d bad) in %d tuples\n",
		res.Files, st.Records, st.NoData, st.SkipData, st.Bad, res.Table.Len())
	if !w.IsZero() {
		fmt.Fprintf(stderr, "%d records outside the window skipped\n", st.Outside)
	}
	if note != "" {
		fmt.Fprintln(stderr, note)
	}
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

// printAthenaSQL prints the query for the table: its columns are the
// --log-format's fields, or those of the table the Athena User Guide creates.
func printAthenaSQL(stdout, stderr io.Writer, table string, f *flowlog.Format, w flowlog.Window, files []string, in flowInput) int {
	if table == "" {
		return usageError(stderr, "--athena-sql needs --table NAME ([database.]table), the Athena table over the flow logs")
	}
	if len(files) > 0 || len(in.athenaCSV) > 0 || in.s3URL != "" || in.logGroup != "" {
		return usageError(stderr, "--athena-sql reads no records: it prints the query for Athena to run")
	}
	format := flowlog.AthenaTableFormat
	if f != nil {
		format = *f
	}
	sql, err := flowlog.AthenaSQL(table, format, w)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	fmt.Fprint(stdout, sql)
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
