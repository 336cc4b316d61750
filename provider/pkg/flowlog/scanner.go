package flowlog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
)

// Stats counts what a scan read.
type Stats struct {
	Lines    int64 // non-empty lines, the header included
	Records  int64 // records handed out: log-status OK, or no log-status field
	NoData   int64 // NODATA records: no traffic on the interface in the interval
	SkipData int64 // SKIPDATA records: AWS dropped records in the interval (capacity)
	Outside  int64 // records that start outside the window read (Scanner.SetWindow)
	Bad      int64 // lines that are not records of the format (each an error)
}

// Add adds o to s.
func (s *Stats) Add(o Stats) {
	s.Lines += o.Lines
	s.Records += o.Records
	s.NoData += o.NoData
	s.SkipData += o.SkipData
	s.Outside += o.Outside
	s.Bad += o.Bad
}

// LineError is a line that is not a record, or a file that cannot be read
// past a line.
type LineError struct {
	File string
	Line int64 // 1-based; 0 when the file cannot be opened
	Msg  string
}

func (e *LineError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// maxLineErrors bounds the errors one file reports line by line; the rest
// are counted (Stats.Bad), so a file of the wrong kind yields one screen of
// errors rather than millions.
const maxLineErrors = 10

// Scanner reads the records of one file. Bad lines do not stop it: each is
// an error (Errors), so every bad line of a file is reported in one run; an
// unreadable file (a truncated gzip) stops it with one more.
type Scanner struct {
	name     string
	r        *bufio.Reader
	closer   io.Closer
	format   Format
	required []Field
	window   Window
	started  bool
	line     int64
	fields   [MaxFields][]byte
	stats    Stats
	errs     []error
	done     bool
}

// bufferSize is the read buffer: the longest record AWS writes (every field
// of version 8) is far below it.
const bufferSize = 256 << 10

// NewScanner reads records from r, named name in errors. A gzip stream is
// recognised by its magic bytes. The first line is the header when it names
// fields (as S3 delivery writes); otherwise records are in format, or in
// DefaultFormat when format is nil (CloudWatch Logs carries no header).
func NewScanner(name string, r io.Reader, format *Format) *Scanner {
	s := &Scanner{name: name, format: DefaultFormat}
	if format != nil {
		s.format = *format // a header line still overrides it
	}
	br := bufio.NewReaderSize(r, bufferSize)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			s.fail(0, "not a gzip stream: %v", err)
			return s
		}
		s.closer = zr
		br = bufio.NewReaderSize(zr, bufferSize)
	}
	s.r = br
	return s
}

// Require makes a format without all of fields an error, found at the
// header (or the first record when there is none). Call it before Next.
func (s *Scanner) Require(fields ...Field) { s.required = fields }

// SetWindow makes Next skip (and count) the records that start outside w;
// a format without start is then an error. Call it before Next.
func (s *Scanner) SetWindow(w Window) { s.window = w }

// needs is the fields records must have: the required ones, and start
// under a window.
func (s *Scanner) needs() []Field {
	if s.window.IsZero() {
		return s.required
	}
	return append(s.required[:len(s.required):len(s.required)], Start)
}

func (s *Scanner) missing() []Field {
	var missing []Field
	for _, f := range s.needs() {
		if !s.format.Has(f) {
			missing = append(missing, f)
		}
	}
	return missing
}

// Format is the records' format: the header's once the first line is read.
func (s *Scanner) Format() Format { return s.format }

// Stats is what has been read so far.
func (s *Scanner) Stats() Stats { return s.stats }

// Errors are the bad lines (the first maxLineErrors) and read failures so
// far, in line order.
func (s *Scanner) Errors() []error { return s.errs }

// Field is the current record's value of f, nil when the format lacks it.
// It is valid until the next call to Next.
func (s *Scanner) Field(f Field) []byte {
	if f >= numFields || s.format.pos[f] < 0 {
		return nil
	}
	return s.fields[s.format.pos[f]]
}

// Next advances to the next record with log-status OK (or any record when
// the format has no log-status), counting NODATA and SKIPDATA records and
// recording bad lines on the way. It returns false at the end of the file or
// when the file cannot be read further.
func (s *Scanner) Next() bool {
	for !s.done {
		raw, err := s.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			s.line++
			s.fail(s.line, "line longer than %d bytes: not a flow-log record", bufferSize)
			return false
		}
		if err != nil && !errors.Is(err, io.EOF) {
			s.fail(s.line+1, "cannot read past line %d: %v", s.line, readHint(err))
			return false
		}
		if errors.Is(err, io.EOF) {
			s.done = true
			if s.closer != nil {
				s.closer.Close()
			}
			if len(raw) == 0 {
				return false
			}
		}
		s.line++
		n := split(raw, &s.fields)
		if n == 0 {
			continue
		}
		s.stats.Lines++
		if !s.started {
			s.started = true
			header := isHeader(s.fields[:n])
			if header {
				f, err := ParseFormat(string(bytes.TrimSpace(raw)))
				if err != nil {
					s.fail(s.line, "header: %v", err)
					return false
				}
				s.format = f
			}
			if missing := s.missing(); missing != nil {
				s.fail(s.line, "format %q lacks %v: records to read here must have %v", s.format, missing, s.needs())
				return false
			}
			if header {
				continue
			}
		}
		if n != len(s.format.fields) {
			s.bad("%d fields, but the format has %d (%s)", n, len(s.format.fields), s.format)
			continue
		}
		if st := s.Field(LogStatus); st != nil {
			switch string(st) {
			case "OK":
			case "NODATA":
				s.stats.NoData++
				continue
			case "SKIPDATA":
				s.stats.SkipData++
				continue
			default:
				s.bad("log-status %q is not OK, NODATA or SKIPDATA", st)
				continue
			}
		}
		if !s.window.IsZero() {
			// A start that is not a number is handed out, for the reader to
			// report; "-" (no start) is in no window, as in the Athena query.
			b := s.Field(Start)
			if start, ok := parseUint(b); ok && !s.window.contains(start) || isDash(b) {
				s.stats.Outside++
				continue
			}
		}
		s.stats.Records++
		return true
	}
	return false
}

func readHint(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of the gzip stream (is the file truncated?)"
	}
	return err.Error()
}

func (s *Scanner) bad(format string, args ...any) {
	s.stats.Bad++
	if s.stats.Bad <= maxLineErrors {
		s.errs = append(s.errs, &LineError{File: s.name, Line: s.line, Msg: fmt.Sprintf(format, args...)})
	}
}

// invalid withdraws the current record, which Next handed out, as a bad line.
func (s *Scanner) invalid(format string, args ...any) {
	s.stats.Records--
	s.bad(format, args...)
}

func (s *Scanner) fail(line int64, format string, args ...any) {
	s.done = true
	s.errs = append(s.errs, &LineError{File: s.name, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// Err is every error of the scan joined, nil when there were none.
func (s *Scanner) Err() error {
	errs := s.errs
	if s.stats.Bad > maxLineErrors {
		errs = append(errs[:len(errs):len(errs)], &LineError{File: s.name, Msg: fmt.Sprintf("%d more bad lines", s.stats.Bad-maxLineErrors)})
	}
	return errors.Join(errs...)
}

// split cuts line into its space-separated fields, up to MaxFields+1 so a
// line with too many still counts as one too many. AWS separates fields with
// one space; runs of spaces are accepted, as the user guide's own examples
// have one.
func split(line []byte, out *[MaxFields][]byte) int {
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
		line = line[:len(line)-1]
	}
	n := 0
	for {
		for len(line) > 0 && line[0] == ' ' {
			line = line[1:]
		}
		if len(line) == 0 {
			return n
		}
		if n == MaxFields {
			return n + 1
		}
		j := bytes.IndexByte(line, ' ')
		if j < 0 {
			j = len(line)
		}
		out[n] = line[:j]
		n++
		line = line[j:]
	}
}

// isHeader tells a header line from a record: field names are lower-case
// words with hyphens (perhaps as ${name}), while every record has a field
// with a digit, a dot or an upper-case letter (an address, a number,
// ACCEPT, OK). A header naming an unknown field is still a header, so the
// error names the field.
func isHeader(fields [][]byte) bool {
	for _, f := range fields {
		if len(f) == 1 && f[0] == '-' {
			return false
		}
		for _, c := range f {
			if (c < 'a' || c > 'z') && c != '-' && c != '$' && c != '{' && c != '}' {
				return false
			}
		}
	}
	return true
}
