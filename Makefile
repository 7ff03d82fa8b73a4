# Building the operator image. `make image` uses the first builder it finds (docker, podman, buildah);
# `make image-store` builds it into the real test ground's image store without any of them.
#
#   make image                         build $(IMAGE):$(TAG) for this machine's platform
#   make image-push                    push it (log in to the registry first)
#   make image-kind KIND_CLUSTER=name  load it into a kind cluster
#   make image-store STORE=dir         brigade-operator:dev in the local control plane's store (root)
#
# The release workflow (.github/workflows/release.yml) builds the multi-arch image for a tag.

# The chart's default image (charts/brigade-operator/values.yaml) and version (package.json, which
# the chart's appVersion follows).
IMAGE ?= ghcr.io/brigade-operator/brigade-operator
TAG ?= $(shell node -p "require('./package.json').version")
BUILDER ?= $(firstword $(foreach b,docker podman buildah,$(shell command -v $(b) 2>/dev/null)))
STORE ?= /var/lib/brigade-images
KIND_CLUSTER ?= kind

NO_BUILDER = no image builder found: install docker, podman or buildah (or set BUILDER=...), or run \
  'make image-store' to build into the local control plane's image store (needs root and debootstrap)

.PHONY: image image-push image-kind image-store help

help:
	@awk '/^[^#]/ { exit } { sub(/^# ?/, ""); print }' $(firstword $(MAKEFILE_LIST))

image:
	@test -n "$(BUILDER)" || { echo "$(NO_BUILDER)" >&2; exit 1; }
	$(if $(filter %buildah,$(BUILDER)),$(BUILDER) bud,$(BUILDER) build) -t $(IMAGE):$(TAG) .

image-push: image
	$(BUILDER) push $(IMAGE):$(TAG)

image-kind: image
	kind load docker-image $(IMAGE):$(TAG) --name $(KIND_CLUSTER)

image-store:
	cluster/images/build.sh $(STORE) --operator .
