package imagestore

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{in: "busybox", want: "busybox:latest"},
		{in: "busybox:1.36", want: "busybox:1.36"},
		{in: "docker.io/library/busybox:1.36", want: "busybox:1.36"},
		{in: "index.docker.io/library/debian", want: "debian:latest"},
		{in: "docker.io/brigadecore/brigade-worker:v1", want: "brigadecore/brigade-worker:v1"},
		{in: "library/ubuntu", want: "ubuntu:latest"},
		{in: "localhost:5000/tools/app", want: "localhost:5000/tools/app:latest"},
		{in: "ghcr.io/org/app:2", want: "ghcr.io/org/app:2"},
		{in: " alpine:3.4 ", want: "alpine:3.4"},
		{in: "busybox@sha256:abcd", err: "by digest"},
		{in: "", err: "empty"},
	}
	for _, c := range cases {
		got, err := Normalize(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Normalize(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// writeImage adds an image directory with an empty rootfs to a store.
func writeImage(t *testing.T, store, id string, cfg Config) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(store, id, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(store, id, "image.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, dir, "debian", Config{References: []string{"debian:bookworm-slim"}, Cmd: []string{"bash"}})
	writeImage(t, dir, "busybox", Config{References: []string{"busybox:1.36", "docker.io/library/busybox:latest"}})
	writeImage(t, dir, "dind", Config{References: []string{"standin/dind:latest"}})
	if err := os.MkdirAll(filepath.Join(dir, "half-built"), 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := NewResolver(OpenStore(dir), Mapping{
		Aliases:  map[string]string{"alpine:3.4": "busybox:1.36", "ubuntu:latest": "debian:bookworm-slim", "gone:1": "missing:1"},
		StandIns: map[string]string{"docker:stable-dind": "standin/dind:latest"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		ref, image, resolved string
		via                  Via
	}{
		{"busybox:1.36", "busybox", "busybox:1.36", ViaStore},
		{"busybox", "busybox", "busybox:latest", ViaStore},
		{"docker.io/library/debian:bookworm-slim", "debian", "debian:bookworm-slim", ViaStore},
		{"alpine:3.4", "busybox", "busybox:1.36", ViaAlias},
		{"ubuntu", "debian", "debian:bookworm-slim", ViaAlias},
		{"docker.io/library/ubuntu:latest", "debian", "debian:bookworm-slim", ViaAlias},
		{"docker:stable-dind", "dind", "standin/dind:latest", ViaStandIn},
	}
	for _, c := range cases {
		res, err := r.Resolve(c.ref)
		if err != nil {
			t.Errorf("Resolve(%q): %v", c.ref, err)
			continue
		}
		if res.Image.ID != c.image || res.Resolved != c.resolved || res.Via != c.via || res.Requested != c.ref {
			t.Errorf("Resolve(%q) = %s %q via %s, want %s %q via %s", c.ref, res.Image.ID, res.Resolved, res.Via, c.image, c.resolved, c.via)
		}
	}
}

func TestResolveUnknownImageFailsLikeAPull(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, dir, "busybox", Config{References: []string{"busybox:1.36"}})
	r, err := NewResolver(OpenStore(dir), Mapping{Aliases: map[string]string{"alpine:3.4": "busybox:1.36", "gone:1": "missing:1"}})
	if err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]string{
		"foo:1":            `image "foo:1" is not in the local image store (known: alpine:3.4, busybox:1.36)`,
		"gone:1":           `image "gone:1" is not in the local image store (known: alpine:3.4, busybox:1.36)`,
		"busybox@sha256:0": `image "busybox@sha256:0" is not in the local image store (references by digest are not supported) (known: alpine:3.4, busybox:1.36)`,
	} {
		_, err := r.Resolve(ref)
		var nf *NotFoundError
		if !errors.As(err, &nf) || err.Error() != want {
			t.Errorf("Resolve(%q) error = %v, want %s", ref, err, want)
		}
	}
}

func TestStoreSeesImagesAddedLater(t *testing.T) {
	dir := t.TempDir()
	s := OpenStore(dir)
	if _, ok, _ := s.Lookup("busybox:1.36"); ok {
		t.Fatal("found an image in an empty store")
	}
	writeImage(t, dir, "busybox", Config{References: []string{"busybox:1.36"}})
	s.loadedAt = s.loadedAt.Add(-RescanInterval)
	img, ok, err := s.Lookup("busybox:1.36")
	if !ok || err != nil || img.ID != "busybox" || !strings.HasPrefix(img.Digest, "sha256:") {
		t.Fatalf("Lookup after adding = %+v, %v, %v", img, ok, err)
	}
}
