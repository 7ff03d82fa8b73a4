package logs

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func TestEncodeParse(t *testing.T) {
	e := Entry{Time: t0.Add(1500 * time.Millisecond), Stream: "stderr", Partial: true, Content: []byte("a b  c")}
	line := Encode(e)
	if want := "2026-12-01T10:00:01.500000000Z stderr P a b  c\n"; string(line) != want {
		t.Fatalf("Encode = %q, want %q", line, want)
	}
	got, err := Parse(line)
	if err != nil || !got.Time.Equal(e.Time) || got.Stream != "stderr" || !got.Partial || string(got.Content) != "a b  c" {
		t.Fatalf("Parse = %+v, %v", got, err)
	}
	if empty, err := Parse([]byte("2026-12-01T10:00:00Z stdout F")); err != nil || len(empty.Content) != 0 {
		t.Fatalf("empty line: %+v, %v", empty, err)
	}
	for _, bad := range []string{"", "nonsense", "yesterday stdout F x", "2026-12-01T10:00:00Z stdout X x"} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

// clock hands out one second per call.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func writeLog(t *testing.T, stdout string) *Log {
	t.Helper()
	c := &clock{t: t0}
	l, err := Create(filepath.Join(t.TempDir(), "0.log"), c.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Capture("stdout", strings.NewReader(stdout)); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestStreamOptions(t *testing.T) {
	l := writeLog(t, "one\ntwo\nthree\nfour") // entries at t0+1s .. t0+4s
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"all", Options{Tail: -1}, "one\ntwo\nthree\nfour\n"},
		{"tail 2", Options{Tail: 2}, "three\nfour\n"},
		{"tail more than there is", Options{Tail: 10}, "one\ntwo\nthree\nfour\n"},
		{"tail 0", Options{Tail: 0}, ""},
		{"timestamps", Options{Tail: 1, Timestamps: true}, "2026-12-01T10:00:04.000000000Z four\n"},
		{"since", Options{Tail: -1, Since: t0.Add(3 * time.Second)}, "three\nfour\n"},
		{"limit bytes cuts a line", Options{Tail: -1, LimitBytes: 6}, "one\ntw"},
		{"limit bytes on a line end", Options{Tail: -1, LimitBytes: 4}, "one\n"},
		{"since and tail", Options{Tail: 3, Since: t0.Add(3 * time.Second)}, "three\nfour\n"},
		{"follow a closed log ends", Options{Tail: -1, Follow: true}, "one\ntwo\nthree\nfour\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := l.Stream(context.Background(), c.opts, &out); err != nil {
				t.Fatal(err)
			}
			if out.String() != c.want {
				t.Errorf("got %q, want %q", out.String(), c.want)
			}
		})
	}
}

func TestLongLinesArePartialEntries(t *testing.T) {
	long := strings.Repeat("x", MaxLine+10)
	l := writeLog(t, long+"\nend\n")
	defer l.Close()
	var out bytes.Buffer
	if err := l.Stream(context.Background(), Options{Tail: -1}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != long+"\nend\n" {
		t.Errorf("long line not put back together: %d bytes", out.Len())
	}
	out.Reset()
	if err := l.Stream(context.Background(), Options{Tail: 1}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != "end\n" {
		t.Errorf("tail 1 = %q", out.String())
	}
}

// syncBuffer is a bytes.Buffer safe to read while a follower writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFollowStreamsLiveAndEndsWhenTheLogCloses(t *testing.T) {
	c := &clock{t: t0}
	l, err := Create(filepath.Join(t.TempDir(), "0.log"), c.now)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	captured := make(chan error, 1)
	go func() { captured <- l.Capture("stdout", pr) }()

	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- l.Stream(context.Background(), Options{Tail: -1, Follow: true}, &out) }()

	if _, err := io.WriteString(pw, "first\n"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first line", func() bool { return out.String() == "first\n" })
	if _, err := io.WriteString(pw, "second\n"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second line", func() bool { return out.String() == "first\nsecond\n" })
	select {
	case err := <-done:
		t.Fatalf("follow ended while the container runs: %v", err)
	default:
	}
	pw.Close()
	if err := <-captured; err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestFollowStopsWhenTheClientGoes(t *testing.T) {
	l := writeLog(t, "x\n")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Stream(ctx, Options{Tail: -1, Follow: true}, io.Discard) }()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Stream = %v, want context.Canceled", err)
	}
	l.Close()
}

func TestLast(t *testing.T) {
	l := writeLog(t, "a\nb\nc\n")
	defer l.Close()
	if got := l.Last(2, 100); got != "b\nc\n" {
		t.Errorf("Last(2) = %q", got)
	}
	if got := l.Last(80, 3); got != "\nc\n" {
		t.Errorf("Last cut to 3 bytes = %q", got)
	}
}
