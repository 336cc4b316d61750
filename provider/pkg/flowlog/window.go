package flowlog

import "time"

// Window is the time a read covers: a record is in it when its start is at
// or after Since and before Until. A zero bound is open. Every source (files,
// S3, CloudWatch Logs, the Athena query) applies this one rule, so they read
// the same records.
type Window struct {
	Since, Until time.Time
}

// IsZero reports whether the window is open at both ends.
func (w Window) IsZero() bool { return w.Since.IsZero() && w.Until.IsZero() }

func (w Window) contains(start uint64) bool {
	return (w.Since.IsZero() || start >= uint64(max(w.Since.Unix(), 0))) &&
		(w.Until.IsZero() || start < uint64(max(w.Until.Unix(), 0)))
}
