// Package logs captures a container's stdout and stderr into a file in the CRI logging format
// (one "<timestamp> <stream> <F|P> <content>" line per record, as containerd writes them for the
// kubelet) and serves it back like the kubelet does: tail, timestamps, since, limitBytes, follow.
package logs

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// TimeFormat is the fixed-width RFC 3339 form the kubelet writes timestamps in.
const TimeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// Entry is one record of the log file.
type Entry struct {
	Time   time.Time
	Stream string // "stdout" or "stderr"
	// Partial is true for a piece of a line longer than the capture buffer; the line continues in
	// the next entry of the same stream.
	Partial bool
	Content []byte
}

// Encode renders an entry as a line of the log file.
func Encode(e Entry) []byte {
	tag := "F"
	if e.Partial {
		tag = "P"
	}
	b := make([]byte, 0, len(TimeFormat)+len(e.Stream)+len(e.Content)+5)
	b = e.Time.UTC().AppendFormat(b, TimeFormat)
	b = append(b, ' ')
	b = append(b, e.Stream...)
	b = append(b, ' ')
	b = append(b, tag...)
	b = append(b, ' ')
	b = append(b, e.Content...)
	return append(b, '\n')
}

// ErrMalformed is returned for a line that is not in the CRI format.
var ErrMalformed = errors.New("malformed log line")

// Parse reads one line of the log file (with or without its newline).
func Parse(line []byte) (Entry, error) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	fields := bytes.SplitN(line, []byte(" "), 4)
	if len(fields) < 3 {
		return Entry{}, fmt.Errorf("%w: %q", ErrMalformed, line)
	}
	t, err := time.Parse(time.RFC3339Nano, string(fields[0]))
	if err != nil {
		return Entry{}, fmt.Errorf("%w: timestamp: %w", ErrMalformed, err)
	}
	e := Entry{Time: t, Stream: string(fields[1])}
	switch string(fields[2]) {
	case "F":
	case "P":
		e.Partial = true
	default:
		return Entry{}, fmt.Errorf("%w: tag %q", ErrMalformed, fields[2])
	}
	if len(fields) == 4 {
		e.Content = fields[3]
	}
	return e, nil
}

// Options are the kubelet's log options.
type Options struct {
	// Tail is the number of last entries to show; negative shows all.
	Tail int
	// Timestamps prefixes each entry with its time.
	Timestamps bool
	// Since hides entries older than it (zero shows all).
	Since time.Time
	// LimitBytes stops the output after that many bytes (0: no limit).
	LimitBytes int64
	// Follow keeps streaming until the log is closed (the container exited).
	Follow bool
}

// renderer writes entries as the kubelet returns them and enforces limitBytes.
type renderer struct {
	opts    Options
	written int64
}

// errLimit ends the output once limitBytes are written.
var errLimit = errors.New("log byte limit reached")

// render returns the output for an entry, and errLimit when it is the last one allowed.
func (r *renderer) render(e Entry) ([]byte, error) {
	if !r.opts.Since.IsZero() && e.Time.Before(r.opts.Since) {
		return nil, nil
	}
	var out []byte
	if r.opts.Timestamps {
		out = e.Time.UTC().AppendFormat(out, TimeFormat)
		out = append(out, ' ')
	}
	out = append(out, e.Content...)
	if !e.Partial {
		out = append(out, '\n')
	}
	if r.opts.LimitBytes > 0 && r.written+int64(len(out)) >= r.opts.LimitBytes {
		out = out[:r.opts.LimitBytes-r.written]
		r.written = r.opts.LimitBytes
		return out, errLimit
	}
	r.written += int64(len(out))
	return out, nil
}
