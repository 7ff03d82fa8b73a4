// Package imagestore reads the local image store (one directory per image: rootfs/ and image.json)
// and resolves the image references of pods against it, through the test ground's aliases and
// stand-ins. Nothing is ever pulled.
package imagestore

import (
	"errors"
	"fmt"
	"strings"
)

// ErrDigest is returned for references pinned by digest, which the local store cannot verify.
var ErrDigest = errors.New("image references by digest are not supported by the local image store")

// Normalize gives the form a reference is looked up by: Docker Hub prefixes dropped
// ("docker.io/library/busybox:1.36" and "busybox:1.36" are the same image) and ":latest" added
// when there is no tag.
func Normalize(ref string) (string, error) {
	r := strings.TrimSpace(ref)
	if r == "" {
		return "", errors.New("empty image reference")
	}
	if strings.Contains(r, "@") {
		return "", fmt.Errorf("%q: %w", ref, ErrDigest)
	}
	for _, prefix := range []string{"docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/", "library/"} {
		if strings.HasPrefix(r, prefix) {
			r = strings.TrimPrefix(r, prefix)
			break
		}
	}
	last := r[strings.LastIndex(r, "/")+1:]
	if !strings.Contains(last, ":") {
		r += ":latest"
	}
	return r, nil
}
