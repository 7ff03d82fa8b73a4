#!/usr/bin/env bash
# Builds the local image store of the real test ground: one directory per image, each holding
# rootfs/ (what runc runs) and image.json (the references it answers to and its OCI-style config).
#
#   cluster/images/build.sh STORE_DIR                       debian, busybox and the stand-ins
#   cluster/images/build.sh STORE_DIR --operator REPO_DIR   the same, then the operator's own image
#
# An image is rebuilt only when the hash of its inputs differs from STORE_DIR/<id>/.key. Each image
# is built in STORE_DIR/.work/ (one level down, where no scan of STORE_DIR/*/image.json sees it) and
# renamed into place when complete, so an interrupted build never leaves a half image that looks
# complete. Entries whose names start with "." are not images.
# Needs root, debootstrap, busybox-static and (for --operator) npm and `npm ci` done in REPO_DIR.
# DEBIAN_MIRROR overrides http://deb.debian.org/debian. See README.md beside this file.
set -euo pipefail
umask 022

readonly SUITE=bookworm
readonly MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly DEBIAN_PACKAGES=(bash coreutils git ca-certificates procps)
readonly BUSYBOX=/bin/busybox
readonly PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
readonly APP_PATHS=(package.json package-lock.json bin src crds scripts)

readonly DEBIAN_ID=debian-bookworm-slim
readonly BUSYBOX_ID=busybox-1.36
readonly DIND_ID=standin-dind
readonly SLACK_ID=standin-slack-notify
readonly OPERATOR_ID=brigade-operator-dev

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here

log() { printf '[images %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[images] error: %s\n' "$*" >&2; exit 1; }

usage() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
  exit "${1:-0}"
}

# --- hashing -------------------------------------------------------------------------------------

sha_file() { sha256sum "$1" | cut -d' ' -f1; }

# One hash over the given files and directories (relative to $1): paths and contents.
sha_tree() {
  local base=$1
  shift
  (cd "$base" && find "$@" -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum | cut -d' ' -f1
}

key_of() { printf '%s\n' "$@" | sha256sum | cut -d' ' -f1; }

# --- JSON ----------------------------------------------------------------------------------------

json_string() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# json_array A B C -> ["A", "B", "C"]; json_array with no arguments -> null.
json_array() {
  if [[ $# -eq 0 ]]; then printf 'null'; return; fi
  local out='' item
  for item in "$@"; do out+="${out:+, }$(json_string "$item")"; done
  printf '[%s]' "$out"
}

# write_image_json FILE REFERENCES ENTRYPOINT CMD ENV WORKDIR USER; the middle four are JSON arrays.
write_image_json() {
  printf '{"references": %s, "entrypoint": %s, "cmd": %s, "env": %s, "workingDir": %s, "user": %s}\n' \
    "$2" "$3" "$4" "$5" "$(json_string "$6")" "$(json_string "$7")" >"$1"
}

# --- safe removal --------------------------------------------------------------------------------

# Unmounts whatever a killed debootstrap may have left mounted under $1 (proc, sys), deepest first.
unmount_under() {
  local dir m
  dir=$(realpath -e "$1") || return 0
  awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | LC_ALL=C sort -r |
    while read -r m; do umount -l "$m" || true; done
}

remove_tree() {
  [[ -e $1 ]] || return 0
  unmount_under "$1"
  rm -rf --one-file-system -- "$1"
}

# --- the build of one image ----------------------------------------------------------------------

building=''
on_exit() {
  local code=$?
  if [[ -n $building ]]; then
    log "interrupted: removing the partial build $building"
    remove_tree "$building"
  fi
  exit "$code"
}

# build_image ID KEY BUILDER: runs `BUILDER DIR` into a temporary DIR unless STORE/ID has KEY.
build_image() {
  local id=$1 key=$2 builder=$3 dest="$store/$1" start=$SECONDS tmp
  if [[ -f $dest/image.json && -f $dest/.key && "$(<"$dest/.key")" == "$key" ]]; then
    log "$id: up to date ($(du -sh "$dest/rootfs" | cut -f1))"
    return 0
  fi
  if [[ -e $dest ]]; then log "$id: building (its inputs changed)"; else log "$id: building"; fi
  tmp=$(mktemp -d "$store/.work/build-$id.XXXXXX")
  building=$tmp
  "$builder" "$tmp"
  [[ -d $tmp/rootfs && -s $tmp/image.json ]] || die "$id: the build left no rootfs or image.json"
  printf '%s\n' "$key" >"$tmp/.key"
  chmod 0755 "$tmp"
  if [[ -e $dest ]]; then mv -T "$dest" "$store/.work/old-$id.$$"; fi
  mv -T "$tmp" "$dest"
  building=''
  remove_tree "$store/.work/old-$id.$$"
  log "$id: built in $((SECONDS - start)) s ($(du -sh "$dest/rootfs" | cut -f1))"
}

# Empty files a kubelet-like agent bind-mounts over, as in an OCI image.
runtime_etc() {
  local rootfs=$1
  : >"$rootfs/etc/resolv.conf"
  : >"$rootfs/etc/hostname"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$rootfs/etc/hosts"
}

# --- debian:bookworm-slim ------------------------------------------------------------------------

# Shows debootstrap's stages and every 25th package of each phase; the whole log goes to a file.
debootstrap_progress() {
  awk '
    /^(I: (Retrieving (Release|InRelease|Packages)|Checking component|Installing|(Unpacking|Configuring) (the base|required)|Base system)|E: |W: )/ {
      print "    " $0; fflush(); next
    }
    /^I: (Retrieving|Extracting|Unpacking|Configuring) [a-z0-9]/ {
      sub(/(:[a-z0-9]+)?\.\.\.$/, "", $3)
      if (n[$2]++ % 25 == 0) { printf "    I: %s %s (%d so far)\n", $2, $3, n[$2]; fflush() }
    }'
}

slim_debian() {
  local r=$1
  chroot "$r" apt-get clean
  rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/debconf/*-old "$r"/var/lib/dpkg/*-old
  find "$r/var/log" -type f -delete
  find "$r/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/locale/* "$r"/usr/share/lintian "$r"/usr/share/linda "$r"/usr/share/groff
  # Later installs (apt-get in a job) stay slim and leave no package cache, as in Docker's slim images.
  cat >"$r/etc/dpkg/dpkg.cfg.d/01-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/groff/*
EOF
  cat >"$r/etc/apt/apt.conf.d/01-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  # The runtime provides /dev (runc mounts a tmpfs there); an image holds no device nodes.
  find "$r/dev" -mindepth 1 -delete
  rm -f "$r/etc/machine-id" "$r/var/lib/dbus/machine-id"
  rm -rf "${r:?}"/tmp/* "${r:?}"/var/tmp/*
  chmod 1777 "$r/tmp" "$r/var/tmp"
  runtime_etc "$r"
}

build_debian() {
  local out=$1 includes
  includes=$(IFS=,; echo "${DEBIAN_PACKAGES[*]}")
  mkdir -p "$store/.cache/debootstrap" "$store/.logs"
  log "  debootstrap --variant=minbase $SUITE with $includes from $MIRROR (log: $store/.logs/$DEBIAN_ID.log)"
  debootstrap --variant=minbase --include="$includes" --cache-dir="$store/.cache/debootstrap" \
    "$SUITE" "$out/rootfs" "$MIRROR" 2>&1 | tee "$store/.logs/$DEBIAN_ID.log" | debootstrap_progress
  chroot "$out/rootfs" git --version >/dev/null
  # shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
  chroot "$out/rootfs" dpkg-query -W -f '${Package} ${Version}\n' >"$out/packages.txt"
  log "  $(wc -l <"$out/packages.txt") packages; trimming apt lists, caches, docs, man pages and locales"
  slim_debian "$out/rootfs"
  write_image_json "$out/image.json" "$(json_array debian:bookworm-slim debian:12-slim)" null \
    "$(json_array bash)" "$(json_array "$PATH_ENV")" / 0:0
}

# --- busybox:1.36 --------------------------------------------------------------------------------

busybox_rootfs() {
  local r=$1 applet
  mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,dev,proc,sys,root,home,tmp,var/tmp,var/spool}
  chmod 0700 "$r/root"
  chmod 1777 "$r/tmp" "$r/var/tmp"
  install -m 0755 "$BUSYBOX" "$r/bin/busybox"
  # The applets at their usual paths, as `busybox --install -s` makes them.
  while read -r applet; do
    [[ $applet == bin/busybox || $applet == linuxrc ]] && continue
    [[ -e $r/$applet ]] || ln -s /bin/busybox "$r/$applet"
  done < <("$BUSYBOX" --list-full)
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$r/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$r/etc/group"
  runtime_etc "$r"
}

build_busybox() {
  local out=$1
  log "  $BUSYBOX ($busybox_version) and its $("$BUSYBOX" --list-full | wc -l) applets"
  busybox_rootfs "$out/rootfs"
  write_image_json "$out/image.json" "$(json_array busybox:1.36 busybox:latest)" null \
    "$(json_array sh)" "$(json_array "$PATH_ENV")" / 0:0
}

# --- stand-ins -----------------------------------------------------------------------------------

build_dind() {
  local out=$1 f
  busybox_rootfs "$out/rootfs"
  mkdir -p "$out/rootfs/usr/local/bin" "$out/rootfs/var/run"
  for f in dockerd-entrypoint.sh dockerd docker; do
    install -m 0755 "$here/standins/dind/$f" "$out/rootfs/usr/local/bin/$f"
  done
  write_image_json "$out/image.json" "$(json_array standin/dind:latest)" "$(json_array dockerd-entrypoint.sh)" \
    null "$(json_array "$PATH_ENV")" / 0:0
}

build_slack() {
  local out=$1
  busybox_rootfs "$out/rootfs"
  install -m 0755 "$here/standins/slack-notify/slack-notify" "$out/rootfs/slack-notify"
  # As the real image: no entrypoint, `CMD /slack-notify` in shell form.
  write_image_json "$out/image.json" "$(json_array standin/slack-notify:latest)" null \
    "$(json_array /bin/sh -c /slack-notify)" "$(json_array "$PATH_ENV")" / 0:0
}

# --- brigade-operator:dev ------------------------------------------------------------------------

build_operator() {
  local out=$1 r="$1/rootfs" path
  log "  copying the $DEBIAN_ID rootfs"
  cp -a "$store/$DEBIAN_ID/rootfs" "$r"
  log "  node $("$node_bin" --version) from $node_bin"
  install -m 0755 "$node_bin" "$r/usr/local/bin/node"
  echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$r/etc/passwd"
  echo 'node:x:1000:' >>"$r/etc/group"
  if [[ -f $r/etc/shadow ]]; then echo 'node:*:19000:0:99999:7:::' >>"$r/etc/shadow"; fi
  install -d -o 1000 -g 1000 -m 0755 "$r/home/node"
  mkdir -p "$r/app"
  for path in "${APP_PATHS[@]}"; do cp -R "$repo/$path" "$r/app/"; done
  log "  npm ci --omit=dev in /app (npm $(npm --version), Node $("$node_bin" --version))"
  (cd "$r/app" && PATH="$(dirname "$node_bin"):$PATH" npm ci --omit=dev --no-audit --no-fund --prefer-offline --loglevel=warn)
  chmod -R u+rwX,go+rX,go-w "$r/app"
  log "  production node_modules: $(du -sh "$r/app/node_modules" | cut -f1)"
  chroot --userspec=1000:1000 "$r" /usr/local/bin/node --version >/dev/null
  write_image_json "$out/image.json" "$(json_array brigade-operator:dev)" "$(json_array node bin/brigade-operator.js)" \
    "$(json_array run)" "$(json_array "$PATH_ENV" NODE_ENV=production)" /app 1000:1000
}

# --- main ----------------------------------------------------------------------------------------

store='' repo=''
while [[ $# -gt 0 ]]; do
  case $1 in
    -h | --help) usage 0 ;;
    --operator) [[ $# -ge 2 ]] || usage 2; repo=$2; shift 2 ;;
    -*) usage 2 ;;
    *) [[ -z $store ]] || usage 2; store=$1; shift ;;
  esac
done
[[ -n $store ]] || usage 2

[[ $EUID -eq 0 ]] || die "must run as root (debootstrap and chroot need it; image files are owned by root)"
command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
if [[ ! -x $BUSYBOX ]] || ! busybox_version=$(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null); then
  die "$BUSYBOX from Debian's busybox-static is missing (apt-get install busybox-static)"
fi
if [[ -n $repo ]]; then
  repo=$(realpath -e "$repo") || die "no such directory: $repo"
  node_bin=$(realpath -e "$repo/node_modules/.bin/node" 2>/dev/null) ||
    die "$repo/node_modules/.bin/node is missing: run npm ci in $repo first"
  command -v npm >/dev/null || die "npm is not installed"
fi

mkdir -p "$store"
store=$(realpath -e "$store")
readonly store
exec 9>"$store/.lock"
if ! flock -n 9; then
  log "another build holds $store/.lock; waiting for it"
  flock 9
fi
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$store/.work"
for stale in "$store"/.work/*; do
  [[ -e $stale ]] || continue
  log "removing the leftover of an interrupted build: $stale"
  remove_tree "$stale"
done

script_sha=$(sha_file "${BASH_SOURCE[0]}")
debian_key=$(key_of "image=$DEBIAN_ID" "script=$script_sha" "suite=$SUITE" "variant=minbase" "packages=${DEBIAN_PACKAGES[*]}")
busybox_key=$(key_of "image=$BUSYBOX_ID" "script=$script_sha" "busybox=$(sha_file "$BUSYBOX")")
dind_key=$(key_of "image=$DIND_ID" "base=$busybox_key" "files=$(sha_tree "$here/standins" dind)")
slack_key=$(key_of "image=$SLACK_ID" "base=$busybox_key" "files=$(sha_tree "$here/standins" slack-notify)")

total=$SECONDS
log "image store $store"
build_image "$DEBIAN_ID" "$debian_key" build_debian
build_image "$BUSYBOX_ID" "$busybox_key" build_busybox
build_image "$DIND_ID" "$dind_key" build_dind
build_image "$SLACK_ID" "$slack_key" build_slack
if [[ -n $repo ]]; then
  operator_key=$(key_of "image=$OPERATOR_ID" "script=$script_sha" "base=$debian_key" "node=$(sha_file "$node_bin")" \
    "app=$(sha_tree "$repo" "${APP_PATHS[@]}")")
  build_image "$OPERATOR_ID" "$operator_key" build_operator
fi
log "done in $((SECONDS - total)) s; the store holds:"
for f in "$store"/*/image.json; do
  printf '    %-22s %s\n' "$(basename "$(dirname "$f")")" "$(grep -o '"references": \[[^]]*\]' "$f" | cut -d' ' -f2-)"
done
