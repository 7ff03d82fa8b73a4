package ocispec

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// User is who the container's process runs as.
type User struct {
	UID, GID       uint32
	AdditionalGids []uint32
}

// UserDB is an image's /etc/passwd and /etc/group, to resolve user and group names.
type UserDB struct {
	users  map[string][2]uint32 // name -> uid, gid
	gidOf  map[uint32]uint32    // uid -> primary gid
	groups map[string]uint32
}

// ReadUserDB reads /etc/passwd and /etc/group of a root filesystem; missing files give an empty
// database. Paths are resolved inside the root, so a symlink cannot lead out of it.
func ReadUserDB(rootfs string) UserDB {
	db := UserDB{users: map[string][2]uint32{}, gidOf: map[uint32]uint32{}, groups: map[string]uint32{}}
	root, err := os.OpenRoot(rootfs)
	if err != nil {
		return db
	}
	defer root.Close()
	if data, err := root.ReadFile("etc/passwd"); err == nil {
		db.parsePasswd(data)
	}
	if data, err := root.ReadFile("etc/group"); err == nil {
		db.parseGroup(data)
	}
	return db
}

func (db *UserDB) parsePasswd(data []byte) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) < 4 {
			continue
		}
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		db.users[f[0]] = [2]uint32{uint32(uid), uint32(gid)}
		if _, ok := db.gidOf[uint32(uid)]; !ok {
			db.gidOf[uint32(uid)] = uint32(gid)
		}
	}
}

func (db *UserDB) parseGroup(data []byte) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) < 3 {
			continue
		}
		if gid, err := strconv.ParseUint(f[2], 10, 32); err == nil {
			db.groups[f[0]] = uint32(gid)
		}
	}
}

// ConfigError is a container configuration the kubelet refuses before creating the container:
// the container waits with reason CreateContainerConfigError.
type ConfigError struct{ Message string }

func (e *ConfigError) Error() string { return e.Message }

// ReasonCreateContainerConfigError is the waiting reason of a *ConfigError.
const ReasonCreateContainerConfigError = "CreateContainerConfigError"

func effectiveSecurity(pod *corev1.Pod, c *corev1.Container) (runAsUser, runAsGroup *int64, runAsNonRoot *bool) {
	if psc := pod.Spec.SecurityContext; psc != nil {
		runAsUser, runAsGroup, runAsNonRoot = psc.RunAsUser, psc.RunAsGroup, psc.RunAsNonRoot
	}
	if sc := c.SecurityContext; sc != nil {
		if sc.RunAsUser != nil {
			runAsUser = sc.RunAsUser
		}
		if sc.RunAsGroup != nil {
			runAsGroup = sc.RunAsGroup
		}
		if sc.RunAsNonRoot != nil {
			runAsNonRoot = sc.RunAsNonRoot
		}
	}
	return runAsUser, runAsGroup, runAsNonRoot
}

// VerifyRunAsNonRoot refuses a container that must not run as root but would, or whose image user
// is a name that cannot be checked, with the kubelet's messages.
func VerifyRunAsNonRoot(pod *corev1.Pod, c *corev1.Container, imageUser string) error {
	runAsUser, _, runAsNonRoot := effectiveSecurity(pod, c)
	if runAsNonRoot == nil || !*runAsNonRoot {
		return nil
	}
	podRef := fmt.Sprintf("%s_%s(%s)", pod.Name, pod.Namespace, pod.UID)
	if runAsUser != nil {
		if *runAsUser == 0 {
			return &ConfigError{fmt.Sprintf("container's runAsUser breaks non-root policy (pod: %q, container: %s)", podRef, c.Name)}
		}
		return nil
	}
	name, _, _ := strings.Cut(imageUser, ":")
	if name == "" {
		name = "0"
	}
	uid, err := strconv.ParseUint(name, 10, 32)
	switch {
	case err != nil:
		return &ConfigError{fmt.Sprintf("container has runAsNonRoot and image has non-numeric user (%s), cannot verify user is non-root (pod: %q, container: %s)", name, podRef, c.Name)}
	case uid == 0:
		return &ConfigError{fmt.Sprintf("container has runAsNonRoot and image will run as root (pod: %q, container: %s)", podRef, c.Name)}
	}
	return nil
}

// ResolveUser gives the uid, gid and extra groups of the container's process: runAsUser and
// runAsGroup over the image's user ("name", "uid", "name:group", "uid:gid"), names looked up in the
// image; supplementalGroups and fsGroup as extra groups.
func ResolveUser(pod *corev1.Pod, c *corev1.Container, imageUser string, db UserDB) (User, error) {
	runAsUser, runAsGroup, _ := effectiveSecurity(pod, c)
	var u User
	userPart, groupPart, hasGroup := strings.Cut(imageUser, ":")
	switch {
	case runAsUser != nil:
		u.UID = uint32(*runAsUser)
		u.GID = db.gidOf[u.UID]
	case userPart == "":
	default:
		uid, gid, err := db.lookupUser(userPart)
		if err != nil {
			return User{}, err
		}
		u.UID, u.GID = uid, gid
	}
	if hasGroup && runAsUser == nil {
		gid, err := db.lookupGroup(groupPart)
		if err != nil {
			return User{}, err
		}
		u.GID = gid
	}
	if runAsGroup != nil {
		u.GID = uint32(*runAsGroup)
	}
	u.AdditionalGids = extraGroups(pod, u.GID)
	return u, nil
}

func extraGroups(pod *corev1.Pod, primary uint32) []uint32 {
	psc := pod.Spec.SecurityContext
	if psc == nil {
		return nil
	}
	seen := map[uint32]bool{primary: true}
	var out []uint32
	add := func(g int64) {
		if !seen[uint32(g)] {
			seen[uint32(g)] = true
			out = append(out, uint32(g))
		}
	}
	for _, g := range psc.SupplementalGroups {
		add(g)
	}
	if psc.FSGroup != nil {
		add(*psc.FSGroup)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (db UserDB) lookupUser(s string) (uid, gid uint32, err error) {
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint32(n), db.gidOf[uint32(n)], nil
	}
	e, ok := db.users[s]
	if !ok {
		return 0, 0, fmt.Errorf("unable to find user %s: no matching entries in passwd file", s)
	}
	return e[0], e[1], nil
}

func (db UserDB) lookupGroup(s string) (uint32, error) {
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint32(n), nil
	}
	g, ok := db.groups[s]
	if !ok {
		return 0, fmt.Errorf("unable to find group %s: no matching entries in group file", s)
	}
	return g, nil
}
