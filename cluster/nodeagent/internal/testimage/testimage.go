// Package testimage builds a tiny image store for tests from the host's static busybox: a rootfs
// with bin/busybox, one symlink per applet, /etc/passwd and /etc/group.
package testimage

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/brigade-operator/brigade-operator/cluster/nodeagent/internal/imagestore"
)

// Busybox is where a static busybox is found (Debian's busybox-static).
const Busybox = "/bin/busybox"

// Store makes an image store under a temporary directory holding one busybox image per config
// (keyed by image id) and returns its directory. The test is skipped when busybox is missing.
func Store(t *testing.T, images map[string]imagestore.Config) string {
	t.Helper()
	if _, err := os.Stat(Busybox); err != nil {
		t.Skipf("skipping: %s is missing (install busybox-static): %v", Busybox, err)
	}
	dir := t.TempDir()
	for id, cfg := range images {
		root := filepath.Join(dir, id, "rootfs")
		Rootfs(t, root)
		data, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, id, "image.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Rootfs writes a busybox root filesystem at root.
func Rootfs(t *testing.T, root string) {
	t.Helper()
	for _, d := range []string{"bin", "etc", "tmp", "work", "proc", "sys", "dev"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(Busybox)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin/busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(Busybox, "--list").Output()
	if err != nil {
		t.Fatalf("busybox --list: %v", err)
	}
	for _, applet := range strings.Fields(string(out)) {
		if applet == "busybox" {
			continue
		}
		if err := os.Symlink("busybox", filepath.Join(root, "bin", applet)); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		"etc/group":  "root:x:0:\nnogroup:x:65534:\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Busybox136 is the image config of the test store's busybox image.
var Busybox136 = imagestore.Config{
	References: []string{"busybox:1.36"},
	Cmd:        []string{"sh"},
	Env:        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "IMAGE_VAR=from-image"},
	WorkingDir: "/",
	User:       "0:0",
}
