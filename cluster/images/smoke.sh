#!/usr/bin/env bash
# Runs commands in each image of a local image store with runc, the way the node agent runs a
# container (read-only rootfs, the image's env, working dir and numeric user, host network), and
# checks their output. Also checks every image.json and that cluster/config/images.json only points
# at references the store answers to.
#
#   cluster/images/smoke.sh STORE_DIR
#
# Skips (exit 0, loudly) when not root or runc is missing; with CI=true that is a failure instead.

# The commands below are expanded by the shells inside the containers, not by this one.
# shellcheck disable=SC2016
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here config="$here/../config/images.json"

skip() {
  printf '\n*** smoke: SKIPPED: %s ***\n\n' "$*" >&2
  [[ ${CI:-} != true ]] || exit 1
  exit 0
}

[[ $# -eq 1 ]] || { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 2; }
store=$(realpath -e "$1")
readonly store
[[ $EUID -eq 0 ]] || skip "runc needs root here"
command -v runc >/dev/null || skip "runc is not installed (apt-get install runc)"
command -v jq >/dev/null || skip "jq is not installed (apt-get install jq)"

work=$(mktemp -d /tmp/images-smoke.XXXXXX)
readonly work
trap 'rm -rf "$work"' EXIT
failures=0 passed=0 count=0

fail() { printf 'smoke: FAIL: %s\n' "$*"; failures=$((failures + 1)); }
pass() { printf 'smoke: ok: %s\n' "$*"; passed=$((passed + 1)); }

# The store's directory of the image answering to a reference, or nothing.
image_dir() {
  local f
  for f in "$store"/*/image.json; do
    if jq -e --arg r "$1" '.references | index($r) != null' "$f" >/dev/null; then dirname "$f"; return 0; fi
  done
}

check_metadata() {
  local f=$1
  if jq -e '
      (keys == (["cmd", "entrypoint", "env", "references", "user", "workingDir"])) and
      (.references | type == "array" and length > 0 and all(type == "string")) and
      (.entrypoint == null or (.entrypoint | type == "array" and all(type == "string"))) and
      (.cmd == null or (.cmd | type == "array" and all(type == "string"))) and
      (.env | type == "array" and any(startswith("PATH="))) and
      (.workingDir | startswith("/")) and (.user | test("^[0-9]+:[0-9]+$"))' "$f" >/dev/null; then
    pass "$(basename "$(dirname "$f")")/image.json: $(jq -c .references "$f")"
  else
    fail "$f does not have the image.json shape: $(cat "$f")"
  fi
}

# A JSON array of the arguments (any characters, newlines included).
json_strings() {
  local out='[]' item
  for item in "$@"; do out=$(jq -c --arg item "$item" '. + [$item]' <<<"$out"); done
  echo "$out"
}

# run_in REFERENCE EXPECT [-e NAME=VALUE]... [-- ARGS...]: runs ARGS (default: the image's
# entrypoint + cmd) and checks that the output contains EXPECT and that the command exits 0.
run_in() {
  local ref=$1 expect=$2 dir bundle out code extra_env=() args_json
  shift 2
  while [[ $# -gt 0 && $1 == -e ]]; do extra_env+=("$2"); shift 2; done
  [[ ${1:-} == -- ]] && shift
  dir=$(image_dir "$ref")
  if [[ -z $dir ]]; then fail "$ref: no image in $store answers to it"; return 0; fi
  count=$((count + 1))
  bundle="$work/bundle-$count"
  mkdir -p "$bundle"
  if [[ $# -gt 0 ]]; then args_json=$(json_strings "$@")
  else args_json=$(jq -c '(.entrypoint // []) + (.cmd // [])' "$dir/image.json"); fi
  (cd "$bundle" && runc spec)
  jq --arg rootfs "$dir/rootfs" --argjson args "$args_json" --slurpfile image "$dir/image.json" \
    --argjson extra "$(json_strings "${extra_env[@]}")" '
      $image[0] as $img
      | .process.terminal = false
      | .process.args = $args
      | .process.env = ($img.env + $extra)
      | .process.cwd = $img.workingDir
      | .process.user = {uid: ($img.user | split(":")[0] | tonumber), gid: ($img.user | split(":")[1] | tonumber)}
      | .root = {path: $rootfs, readonly: true}
      | .hostname = "smoke"
      | .linux.namespaces |= map(select(.type != "network"))
      | .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"]}]
    ' "$bundle/config.json" >"$bundle/config.json.new"
  mv "$bundle/config.json.new" "$bundle/config.json"
  code=0 RUN_OUTPUT=''
  out=$(timeout 120 runc --root "$work/runc" run --bundle "$bundle" "images-smoke-$$-$count" </dev/null 2>&1) || code=$?
  RUN_OUTPUT=$out
  if [[ $code -ne 0 ]]; then fail "$ref: $(jq -c . <<<"$args_json") exited $code: $out"; return 0; fi
  if [[ $out != *"$expect"* ]]; then fail "$ref: $(jq -c . <<<"$args_json"): no \"$expect\" in: $out"; return 0; fi
  pass "$ref: $(jq -c . <<<"$args_json" | cut -c1-80) -> $(head -n 1 <<<"$out" | cut -c1-100)"
}

refute_output() {
  if [[ $RUN_OUTPUT == *"$2"* ]]; then fail "$1: the output shows $2"; else pass "$1: the output never shows $2"; fi
}

echo "smoke: image store $store"
for f in "$store"/*/image.json; do
  [[ -e $f ]] || { fail "no images in $store (run cluster/images/build.sh $store)"; break; }
  check_metadata "$f"
done

dups=$(jq -r '.references[]' "$store"/*/image.json | sort | uniq -d)
if [[ -z $dups ]]; then pass "no reference is claimed by two images"; else fail "references in more than one image: $dups"; fi
[[ -f $config ]] || fail "$config is missing"
shadowed=$(jq -r '(.aliases + .standIns) | keys[]' "$config" 2>/dev/null | grep -Fxf <(jq -r '.references[]' "$store"/*/image.json) || true)
if [[ -z $shadowed ]]; then pass "no alias or stand-in names a reference the store already answers to"
else fail "images.json maps references the store answers to itself: $shadowed"; fi
while read -r target; do
  if [[ -n $(image_dir "$target") ]]; then pass "images.json target $target is in the store"
  elif [[ $target == brigade-operator:* ]]; then echo "smoke: note: $target is not built (build.sh --operator REPO_DIR)"
  else fail "images.json points at $target, which no image in the store answers to"; fi
done < <(jq -r '(.aliases + .standIns) | to_entries[].value' "$config" 2>/dev/null | sort -u)

RUN_OUTPUT=''
# debian:bookworm-slim: its default command, git (what the source clone needs), bash, the CA bundle.
run_in debian:bookworm-slim '' </dev/null
run_in debian:bookworm-slim 'git version' -- git --version
run_in debian:bookworm-slim 'commits: 1' -- bash -c '
  set -e; test -s /etc/ssl/certs/ca-certificates.crt; git init -q /tmp/r; cd /tmp/r
  git -c user.name=smoke -c user.email=smoke@example.com commit -q --allow-empty -m first
  echo "commits: $(git rev-list --count HEAD)"; ps -o pid= -p $$ >/dev/null'
# The countdown walkthrough's task, with bash as its job shell.
run_in debian:bookworm-slim 'counting 2' -e COUNTDOWN_FROM=0 -e COUNTDOWN_TO=2 -- /bin/bash -c \
  'for ((i=$COUNTDOWN_FROM; i<=$COUNTDOWN_TO; i++)); do echo counting $i; done'

# busybox:1.36: its default command, and the hello walkthrough's task through /bin/sh.
run_in busybox:1.36 ''
run_in busybox:1.36 'ok root' -- sh -c 'echo ok "$(id -un)"; test -x /usr/bin/env; test -d /tmp'
run_in busybox:1.36 'Hello Brigade from Azure' -- /bin/sh -c 'echo Hello Brigade from Azure'

# standin/dind: the CI walkthrough's tasks verbatim but for `sleep 20` and a /src made in /tmp.
run_in standin/dind:latest 'would push registry.example.com/flask to registry.example.com' \
  -e DOCKER_DRIVER=overlay -e DOCKER_USER=sample-user -e DOCKER_PASS=sample-docker-password \
  -e DOCKER_REGISTRY=registry.example.com -- /bin/sh -c '
set -e
mkdir -p /tmp/src && printf "FROM python:3\nCOPY . /app\n" >/tmp/src/Dockerfile
dockerd-entrypoint.sh &
sleep 2
cd /tmp/src
docker build -t $DOCKER_REGISTRY/flask .
docker login -u $DOCKER_USER -p $DOCKER_PASS $DOCKER_REGISTRY
docker push $DOCKER_REGISTRY/flask'
refute_output standin/dind:latest sample-docker-password
for line in 'stand-in dockerd: would start the Docker daemon (storage driver overlay)' \
  'would build registry.example.com/flask from context /tmp/src' \
  'would log in to registry.example.com as sample-user (password given, not shown)'; do
  if [[ $RUN_OUTPUT == *"$line"* ]]; then pass "standin/dind:latest: says \"$line\""; else fail "standin/dind:latest: no \"$line\" in: $RUN_OUTPUT"; fi
done
run_in standin/dind:latest 'exec-ok' -- dockerd-entrypoint.sh sh -c 'echo exec-ok'

# standin/slack-notify: through the image's own command, and as the walkthrough's task.
slack_env=(-e SLACK_WEBHOOK=https://hooks.slack.com/services/SAMPLE/sample-webhook-token -e SLACK_USERNAME=BrigadeBot
  -e 'SLACK_TITLE=Brigade Build Demo' -e 'SLACK_MESSAGE=New build registry.example.com/flask:latest available!' -e 'SLACK_COLOR=#0000ff')
run_in standin/slack-notify:latest 'message:  New build registry.example.com/flask:latest available!' "${slack_env[@]}"
refute_output standin/slack-notify:latest sample-webhook-token
run_in standin/slack-notify:latest 'title:    Brigade Build Demo' "${slack_env[@]}" -- /bin/sh -c /slack-notify

# brigade-operator:dev, when built: Node 24 as uid 1000, and the operator's CLI through the image's entrypoint.
if [[ -n $(image_dir brigade-operator:dev) ]]; then
  run_in brigade-operator:dev 'v24.' -- node --version
  run_in brigade-operator:dev 'uid=1000(node) gid=1000(node)' -- id
  run_in brigade-operator:dev 'run' -- node bin/brigade-operator.js --help
  run_in brigade-operator:dev 'run' -- node /app/bin/brigade-operator.js --help
else
  echo "smoke: note: brigade-operator:dev is not in the store (build.sh STORE_DIR --operator REPO_DIR)"
fi

echo "smoke: $passed passed, $failures failed"
[[ $failures -eq 0 ]]
