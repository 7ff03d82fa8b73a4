package imagestore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Via says how a reference was resolved.
type Via string

const (
	// ViaStore means the store holds an image built for the reference itself.
	ViaStore Via = "store"
	// ViaAlias means the reference is a declared alias of a store image.
	ViaAlias Via = "alias"
	// ViaStandIn means the reference is replaced by a stand-in image that only reports what the
	// real one would have done.
	ViaStandIn Via = "standIn"
)

// Mapping is the image config file: aliases and stand-ins, both from a reference to a store reference.
type Mapping struct {
	Aliases  map[string]string `json:"aliases"`
	StandIns map[string]string `json:"standIns"`
}

// LoadMapping reads the image config file.
func LoadMapping(path string) (Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Mapping{}, fmt.Errorf("reading image config: %w", err)
	}
	var m Mapping
	if err := json.Unmarshal(data, &m); err != nil {
		return Mapping{}, fmt.Errorf("image config %s: %w", path, err)
	}
	return m, nil
}

// Resolution is where a pod's image reference led.
type Resolution struct {
	Image *Image
	// Requested is the reference as the pod gave it; Resolved the store reference used.
	Requested, Resolved string
	Via                 Via
}

// NotFoundError is the failed "pull" of an image the store does not have.
type NotFoundError struct {
	Ref   string
	Known []string
	Cause error
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("image %q is not in the local image store", e.Ref)
	if errors.Is(e.Cause, ErrDigest) {
		msg += " (references by digest are not supported)"
	}
	return fmt.Sprintf("%s (known: %s)", msg, strings.Join(e.Known, ", "))
}

func (e *NotFoundError) Unwrap() error { return e.Cause }

// Lookuper is what the resolver needs from a store.
type Lookuper interface {
	Lookup(ref string) (*Image, bool, error)
	References() []string
}

// Resolver resolves references: the exact reference in the store, else an alias, else a stand-in.
type Resolver struct {
	store    Lookuper
	aliases  map[string]string
	standIns map[string]string
}

// NewResolver normalizes the mapping's references once.
func NewResolver(store Lookuper, m Mapping) (*Resolver, error) {
	r := &Resolver{store: store}
	var err error
	if r.aliases, err = normalizeMap(m.Aliases); err != nil {
		return nil, fmt.Errorf("aliases: %w", err)
	}
	if r.standIns, err = normalizeMap(m.StandIns); err != nil {
		return nil, fmt.Errorf("standIns: %w", err)
	}
	return r, nil
}

func normalizeMap(m map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(m))
	for k, v := range m {
		nk, err := Normalize(k)
		if err != nil {
			return nil, err
		}
		nv, err := Normalize(v)
		if err != nil {
			return nil, err
		}
		out[nk] = nv
	}
	return out, nil
}

// Resolve finds the image for a pod's reference, or a *NotFoundError.
func (r *Resolver) Resolve(ref string) (Resolution, error) {
	n, err := Normalize(ref)
	if err != nil {
		return Resolution{}, &NotFoundError{Ref: ref, Known: r.known(), Cause: err}
	}
	candidates := []struct {
		target string
		via    Via
	}{{n, ViaStore}, {r.aliases[n], ViaAlias}, {r.standIns[n], ViaStandIn}}
	for _, c := range candidates {
		if c.target == "" {
			continue
		}
		img, ok, lookupErr := r.store.Lookup(c.target)
		if ok {
			return Resolution{Image: img, Requested: ref, Resolved: c.target, Via: c.via}, nil
		}
		err = errors.Join(err, lookupErr)
	}
	return Resolution{}, &NotFoundError{Ref: ref, Known: r.known(), Cause: err}
}

// known lists every reference that resolves: store references, then aliases and stand-ins whose
// target exists.
func (r *Resolver) known() []string {
	refs := r.store.References()
	have := map[string]bool{}
	for _, ref := range refs {
		have[ref] = true
	}
	for _, m := range []map[string]string{r.aliases, r.standIns} {
		for from, to := range m {
			if have[to] && !have[from] {
				have[from] = true
				refs = append(refs, from)
			}
		}
	}
	sort.Strings(refs)
	return refs
}
