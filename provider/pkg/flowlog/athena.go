package flowlog

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// AthenaTableFormat is the columns of the table the Amazon Athena User
// Guide creates for flow logs ("Create a table for Amazon VPC flow logs and
// query it": versions 2 to 5, in this order). A table made for a custom
// format has that format's fields instead.
var AthenaTableFormat = mustFormat("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path")

// AthenaColumn is the field's column in such a table: its name with
// underscores for hyphens (account_id, tcp_flags).
func AthenaColumn(f Field) string { return strings.ReplaceAll(f.String(), "-", "_") }

var athenaTableName = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,2}$`)

// AthenaSQL is the Athena (Trino) query that aggregates table, whose
// columns are format's fields, to the tuples a Table makes of the same
// records, with CSVHeader's columns: ingest its CSV result with
// AggregateTupleCSV. The table's string columns keep "-" as written, which
// the ingest reads as absent, as the record reader does; its int columns
// read "-" as NULL. A field the format lacks is NULL (0 for the sums and
// flags), as Add leaves it.
func AthenaSQL(table string, format Format, w Window) (string, error) {
	var problems []string
	if !athenaTableName.MatchString(table) {
		problems = append(problems, fmt.Sprintf("table %q is not an Athena table name ([catalog.][database.]table of letters, digits, _ and -)", table))
	}
	var missing []Field
	for _, f := range TupleFields {
		if !format.Has(f) {
			missing = append(missing, f)
		}
	}
	if !w.IsZero() && !format.Has(Start) {
		missing = append(missing, Start)
	}
	if missing != nil {
		problems = append(problems, fmt.Sprintf("format %q lacks %v, which the query needs", format, missing))
	}
	if problems != nil {
		return "", errors.New(strings.Join(problems, "; "))
	}
	col := func(f Field) string { return `"` + AthenaColumn(f) + `"` }
	or := func(f Field, expr, absent string) string {
		if format.Has(f) {
			return fmt.Sprintf(expr, col(f))
		}
		return absent
	}
	exprs := []string{col(InterfaceID), col(SrcAddr), col(DstAddr), col(DstPort), col(Protocol), col(Action),
		or(FlowDirection, "%s", "CAST(NULL AS varchar)"),
		or(PktSrcAddr, "%s", "CAST(NULL AS varchar)"),
		or(PktDstAddr, "%s", "CAST(NULL AS varchar)"),
		"count(*)",
		or(Packets, "coalesce(sum(%s), 0)", "0"),
		or(Bytes, "coalesce(sum(%s), 0)", "0"),
		or(TCPFlags, "coalesce(bitwise_or_agg(%s), 0)", "0"),
		or(Start, "min(%s)", "CAST(NULL AS bigint)"),
		or(End, "max(%s)", "CAST(NULL AS bigint)"),
	}
	var b strings.Builder
	b.WriteString("-- servicemesh: VPC flow-log records aggregated to tuples; save the result as CSV and read it with --athena-csv\nSELECT\n")
	for i, e := range exprs {
		sep := ","
		if i == len(exprs)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  %s AS \"%s\"%s\n", e, CSVHeader[i], sep)
	}
	parts := strings.Split(table, ".")
	fmt.Fprintf(&b, "FROM \"%s\"\n", strings.Join(parts, `"."`))
	var where []string
	if format.Has(LogStatus) {
		where = append(where, col(LogStatus)+" = 'OK'")
	}
	if !w.Since.IsZero() {
		where = append(where, fmt.Sprintf("%s >= %d", col(Start), w.Since.Unix()))
	}
	if !w.Until.IsZero() {
		where = append(where, fmt.Sprintf("%s < %d", col(Start), w.Until.Unix()))
	}
	if where != nil {
		fmt.Fprintf(&b, "WHERE %s\n", strings.Join(where, "\n  AND "))
	}
	if !w.Since.IsZero() && !w.Until.IsZero() {
		// The query cannot know how the table is partitioned; the user can.
		fmt.Fprintf(&b, "-- on a table partitioned by day, add the partition's bounds so Athena reads only those days, e.g.\n"+
			"--   AND \"date\" BETWEEN DATE '%s' AND DATE '%s'\n", w.Since.UTC().Format(time.DateOnly), w.Until.UTC().Format(time.DateOnly))
	}
	b.WriteString("GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9\n")
	return b.String(), nil
}

// AggregateTupleCSV reads query results with CSVHeader's columns (in any
// order), as Athena writes them for AthenaSQL's query (a header row, every
// value quoted, NULL empty) or `servicemesh flows --csv` does, into one
// Table. Every bad row of every file is an error naming file and line; the
// good rows are folded in. Stats.Records is the records the rows sum.
func AggregateTupleCSV(paths []string) (Result, error) {
	res := Result{Table: NewTable(), Files: len(paths)}
	var errs []error
	for _, p := range paths {
		st, err := readTupleCSV(res.Table, p)
		res.Stats.Add(st)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

func readTupleCSV(t *Table, path string) (Stats, error) {
	var st Stats
	f, err := os.Open(path)
	if err != nil {
		return st, &LineError{File: path, Msg: err.Error()}
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return st, &LineError{File: path, Line: 1, Msg: fmt.Sprintf("no header row: %v", err)}
	}
	st.Lines++
	index := map[string]int{}
	for i, h := range header {
		index[h] = i
	}
	col := make([]int, len(CSVHeader))
	var missing []string
	for i, name := range CSVHeader {
		j, ok := index[name]
		if !ok {
			missing = append(missing, name)
		}
		col[i] = j
	}
	if missing != nil {
		return st, &LineError{File: path, Line: 1, Msg: fmt.Sprintf("the header lacks %s: give the result of the query `servicemesh flows --athena-sql` prints (columns %s)",
			strings.Join(missing, ", "), strings.Join(CSVHeader, ","))}
	}
	var errs []error
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				st.Bad++
				errs = appendLineError(errs, st.Bad, &LineError{File: path, Line: int64(pe.Line), Msg: fmt.Sprintf("%d columns, but the header has %d", len(row), len(header))})
				continue
			}
			errs = append(errs, &LineError{File: path, Line: int64(line), Msg: fmt.Sprintf("not CSV: %v", err)})
			break
		}
		st.Lines++
		values := make([]string, len(CSVHeader))
		for i, j := range col {
			values[i] = row[j]
		}
		tu, msg := parseTupleRow(values)
		if msg != "" {
			st.Bad++
			errs = appendLineError(errs, st.Bad, &LineError{File: path, Line: int64(line), Msg: msg})
			continue
		}
		st.Records += tu.Count
		t.AddTuple(tu)
	}
	if st.Bad > maxLineErrors {
		errs = append(errs, &LineError{File: path, Msg: fmt.Sprintf("%d more bad rows", st.Bad-maxLineErrors)})
	}
	return st, errors.Join(errs...)
}

// appendLineError keeps the first maxLineErrors bad lines of a file.
func appendLineError(errs []error, bad int64, err error) []error {
	if bad <= maxLineErrors {
		return append(errs, err)
	}
	return errs
}

// parseTupleRow reads one row in CSVHeader's order; a message names the
// first bad column. Empty (NULL) and "-" are absent.
func parseTupleRow(v []string) (Tuple, string) {
	absent := func(s string) bool { return s == "" || s == "-" }
	var msg string
	bad := func(i int, want string) {
		if msg == "" {
			msg = fmt.Sprintf("%s %q is not %s", CSVHeader[i], v[i], want)
		}
	}
	addr := func(i int) netip.Addr {
		if absent(v[i]) {
			return netip.Addr{}
		}
		a, err := netip.ParseAddr(v[i])
		if err != nil {
			bad(i, "an IP address")
		}
		return a.Unmap()
	}
	num := func(i int, limit int64, none int64) int64 {
		if absent(v[i]) {
			return none
		}
		n, err := strconv.ParseInt(v[i], 10, 64)
		if err != nil || n < 0 || n > limit {
			bad(i, fmt.Sprintf("a number from 0 to %d", limit))
		}
		return n
	}
	tu := Tuple{
		InterfaceID: v[0],
		SrcAddr:     addr(1),
		DstAddr:     addr(2),
		DstPort:     int(num(3, 65535, -1)),
		Protocol:    int(num(4, 255, -1)),
		PktSrcAddr:  addr(7),
		PktDstAddr:  addr(8),
		Count:       num(9, 1<<62, 0),
		Packets:     num(10, 1<<62, 0),
		Bytes:       num(11, 1<<62, 0),
		TCPFlags:    int(num(12, 255, 0)),
		Start:       num(13, noStart-1, -1),
		End:         num(14, noStart-1, -1),
	}
	if absent(tu.InterfaceID) {
		msg = cmp.Or(msg, "interface_id is empty")
	}
	switch v[5] {
	case "ACCEPT", "REJECT":
		tu.Action = v[5]
	case "", "-":
	default:
		bad(5, "ACCEPT or REJECT")
	}
	d, ok := parseDirection([]byte(v[6]))
	if !ok {
		bad(6, "ingress or egress")
	}
	tu.FlowDirection = d
	return tu, msg
}
