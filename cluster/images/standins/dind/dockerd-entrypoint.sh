#!/bin/sh
# Stand-in for the docker:dind image's entrypoint: like the real one, no arguments or options run the
# daemon (here the stand-in dockerd beside this file), and any other command is executed as given.
set -eu

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  set -- dockerd --host=unix:///var/run/docker.sock "$@"
fi
exec "$@"
