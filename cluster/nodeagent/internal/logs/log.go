package logs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// MaxLine is the size of the capture buffer: a longer line is split into partial entries.
const MaxLine = 16 * 1024

// Log is one container's log file: written by Capture while the container runs, read by Stream.
type Log struct {
	path string
	now  func() time.Time

	mu      sync.Mutex
	f       *os.File
	changed chan struct{} // closed and replaced on every write, closed for good on Close
	closed  bool
}

// Create creates (truncates) the log file at path.
func Create(path string, now func() time.Time) (*Log, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("creating log: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &Log{path: path, now: now, f: f, changed: make(chan struct{})}, nil
}

// Path is where the log is.
func (l *Log) Path() string { return l.path }

// Capture copies one stream into the log until r ends, one entry per line.
func (l *Log) Capture(stream string, r io.Reader) error {
	br := bufio.NewReaderSize(r, MaxLine)
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			full := err == nil
			if full {
				chunk = chunk[:len(chunk)-1]
			}
			// A last line without newline is a full line too, as the kubelet shows it.
			e := Entry{Time: l.now(), Stream: stream, Partial: errors.Is(err, bufio.ErrBufferFull), Content: chunk}
			if werr := l.write(e); werr != nil {
				return werr
			}
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF), errors.Is(err, os.ErrClosed):
			return nil
		default:
			return fmt.Errorf("reading %s: %w", stream, err)
		}
	}
}

func (l *Log) write(e Entry) error {
	line := Encode(e)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("log is closed")
	}
	_, err := l.f.Write(line)
	close(l.changed)
	l.changed = make(chan struct{})
	if err != nil {
		return fmt.Errorf("writing log: %w", err)
	}
	return nil
}

// Close ends the log: followers finish once they have read everything.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	close(l.changed)
	return l.f.Close()
}

func (l *Log) state() (<-chan struct{}, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.changed, l.closed
}

// Stream writes the log to w as the kubelet's /containerLogs endpoint does. With Follow it returns
// when the log is closed and fully written out, or when ctx ends.
func (l *Log) Stream(ctx context.Context, opts Options, w io.Writer) error {
	f, err := os.Open(l.path)
	if err != nil {
		return fmt.Errorf("opening log: %w", err)
	}
	defer f.Close()
	if opts.Tail >= 0 {
		off, err := tailOffset(f, opts.Tail)
		if err != nil {
			return err
		}
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return fmt.Errorf("seeking log: %w", err)
		}
	}
	r := &renderer{opts: opts}
	br := bufio.NewReader(f)
	var pending []byte
	for {
		changed, closed := l.state()
		var err error
		pending, err = copyLines(br, pending, r, w)
		if errors.Is(err, errLimit) {
			return nil
		}
		if err != nil {
			return err
		}
		if !opts.Follow || closed {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// copyLines renders every complete line up to the end of the file; a trailing incomplete line is
// returned to be completed on the next call.
func copyLines(br *bufio.Reader, pending []byte, r *renderer, w io.Writer) ([]byte, error) {
	for {
		chunk, err := br.ReadBytes('\n')
		pending = append(pending, chunk...)
		if errors.Is(err, io.EOF) {
			return pending, nil
		}
		if err != nil {
			return pending, fmt.Errorf("reading log: %w", err)
		}
		e, perr := Parse(pending)
		pending = pending[:0]
		if perr != nil {
			continue // not ours to show: skip a damaged line
		}
		out, rerr := r.render(e)
		if len(out) > 0 {
			if _, werr := w.Write(out); werr != nil {
				return nil, fmt.Errorf("writing logs: %w", werr)
			}
		}
		if rerr != nil {
			return nil, rerr
		}
	}
}

// tailOffset finds where the last n lines of the file start.
func tailOffset(f *os.File, n int) (int64, error) {
	if n == 0 {
		return f.Seek(0, io.SeekEnd)
	}
	ring := make([]int64, n)
	count := 0
	var off, start int64
	br := bufio.NewReaderSize(f, 2*MaxLine)
	for {
		line, err := br.ReadSlice('\n')
		off += int64(len(line))
		switch {
		case err == nil:
			ring[count%n] = start
			count++
			start = off
		case errors.Is(err, bufio.ErrBufferFull): // the same line goes on
		case errors.Is(err, io.EOF):
			if count <= n {
				return 0, nil
			}
			return ring[count%n], nil
		default:
			return 0, fmt.Errorf("reading log: %w", err)
		}
	}
}

// Last returns the content of the last lines of the log, at most maxBytes of them: the kubelet's
// termination message fallback ("FallbackToLogsOnError").
func (l *Log) Last(lines int, maxBytes int) string {
	var buf bytes.Buffer
	if err := l.Stream(context.Background(), Options{Tail: lines}, &buf); err != nil {
		return ""
	}
	b := buf.Bytes()
	if len(b) > maxBytes {
		b = b[len(b)-maxBytes:]
	}
	return string(b)
}
