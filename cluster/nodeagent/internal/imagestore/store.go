package imagestore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Config is an image's runtime metadata, as image.json holds it.
type Config struct {
	References []string `json:"references"`
	Entrypoint []string `json:"entrypoint"`
	Cmd        []string `json:"cmd"`
	Env        []string `json:"env"`
	WorkingDir string   `json:"workingDir"`
	User       string   `json:"user"`
}

// Image is one image of the store.
type Image struct {
	// ID is the image's directory name in the store.
	ID string
	// Rootfs is the absolute path of the image's root filesystem (used read-only).
	Rootfs string
	// Digest identifies this build of the image: the sha256 of its image.json.
	Digest string
	Config Config
}

// Store is a read-only view of an image store directory. It rescans the directory when a
// reference is not found, at most once per RescanInterval, so images added while the agent runs
// are seen.
type Store struct {
	dir string
	now func() time.Time

	mu       sync.Mutex
	byRef    map[string]*Image
	loadErr  error
	loadedAt time.Time
}

// RescanInterval bounds how often a miss rescans the store directory.
const RescanInterval = 2 * time.Second

// OpenStore returns a store reading dir. The directory is scanned on first use.
func OpenStore(dir string) *Store {
	return &Store{dir: dir, now: time.Now}
}

// Lookup finds the image answering to a normalized reference.
func (s *Store) Lookup(ref string) (*Image, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byRef == nil || (s.byRef[ref] == nil && s.now().Sub(s.loadedAt) >= RescanInterval) {
		s.byRef, s.loadErr = scan(s.dir)
		s.loadedAt = s.now()
	}
	img := s.byRef[ref]
	return img, img != nil, s.loadErr
}

// References lists every normalized reference the store answers to, sorted.
func (s *Store) References() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	refs := make([]string, 0, len(s.byRef))
	for r := range s.byRef {
		refs = append(refs, r)
	}
	sort.Strings(refs)
	return refs
}

func scan(dir string) (map[string]*Image, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return map[string]*Image{}, fmt.Errorf("reading image store: %w", err)
	}
	byRef := map[string]*Image{}
	var errs []error
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		img, err := load(filepath.Join(dir, e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // not an image (yet): no image.json
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, ref := range img.Config.References {
			n, err := Normalize(ref)
			if err != nil {
				errs = append(errs, fmt.Errorf("image %s: %w", img.ID, err))
				continue
			}
			byRef[n] = img
		}
	}
	return byRef, errors.Join(errs...)
}

func load(dir string) (*Image, error) {
	data, err := os.ReadFile(filepath.Join(dir, "image.json"))
	if err != nil {
		return nil, err
	}
	var cfg Config
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("image %s: image.json: %w", filepath.Base(dir), err)
	}
	rootfs := filepath.Join(dir, "rootfs")
	if st, err := os.Stat(rootfs); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("image %s: no rootfs directory", filepath.Base(dir))
	}
	sum := sha256.Sum256(data)
	return &Image{ID: filepath.Base(dir), Rootfs: rootfs, Digest: "sha256:" + hex.EncodeToString(sum[:]), Config: cfg}, nil
}
