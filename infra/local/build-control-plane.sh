#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from their Go modules into a per-user cache keyed by version.
# Why build: no registry this project may use ships these binaries (see README, "Local control plane").
# Run by `vmcp-lambda control-plane install` (npm run control-plane:install), which sets the versions
# (infra/local/control-plane/binaries.ts is their one source) and the cache directory.
set -euo pipefail

K8S_VERSION="${VMCP_K8S_VERSION:?run this through: npm run control-plane:install}"
ETCD_VERSION="${VMCP_ETCD_VERSION:?run this through: npm run control-plane:install}"
CACHE="${VMCP_LAMBDA_CACHE:?run this through: npm run control-plane:install}"
APISERVER_BIN="$CACHE/bin/kube-apiserver-$K8S_VERSION/kube-apiserver"
ETCD_BIN="$CACHE/bin/etcd-$ETCD_VERSION/etcd"
KUBECTL_BIN="$CACHE/bin/kube-apiserver-$K8S_VERSION/kubectl"

say() { printf '[control-plane:install] %s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  say "Go is not installed or not on PATH. kube-apiserver and etcd are built from their Go modules;"
  say "install Go 1.24 or newer (https://go.dev/doc/install) and run again."
  exit 3
fi
go_minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ "${go_minor:-0}" -lt 24 ]; then
  say "$(go env GOVERSION) is too old: Kubernetes 1.34 needs Go 1.24 or newer (https://go.dev/doc/install)."
  exit 3
fi

export GOTOOLCHAIN=local GOFLAGS=-modcacherw CGO_ENABLED=0

# Staging modules that k8s.io/kubernetes requires at v0.0.0 (1.33/1.34 go.mod); each maps to v0.<minor>.<patch>.
STAGING="api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider cluster-bootstrap
code-generator component-base component-helpers controller-manager cri-api cri-client csi-translation-lib
dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator kube-controller-manager kube-proxy
kube-scheduler kubectl kubelet metrics mount-utils pod-security-admission sample-apiserver"

build_apiserver() {
  local src="$CACHE/src/kube-apiserver-$K8S_VERSION" staging="v0.${K8S_VERSION#v1.}" minor
  minor=$(cut -d. -f2 <<<"$K8S_VERSION")
  mkdir -p "$src" "$(dirname "$APISERVER_BIN")"
  {
    printf 'module local.invalid/k8sbins\n\ngo 1.24.0\n\ngodebug default=go1.24\n\nrequire k8s.io/kubernetes %s\n\n' "$K8S_VERSION"
    for m in $STAGING; do printf 'replace k8s.io/%s => k8s.io/%s %s\n' "$m" "$m" "$staging"; done
  } >"$src/go.mod"
  say "resolving k8s.io/kubernetes $K8S_VERSION (first time: ~1 GB of modules from the Go module proxy)"
  (cd "$src" && go get "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION")
  say "compiling kube-apiserver $K8S_VERSION (first time: about 5 minutes on 2 cores)"
  (cd "$src" && go build -trimpath -tags selinux,notest,grpcnotrace \
    -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
    -o "$APISERVER_BIN.tmp" k8s.io/kubernetes/cmd/kube-apiserver)
  mv "$APISERVER_BIN.tmp" "$APISERVER_BIN"
}

# kubectl of the same version, from the same wrapper module: tests and users get a client that matches the server.
build_kubectl() {
  local src="$CACHE/src/kube-apiserver-$K8S_VERSION"
  say "compiling kubectl $K8S_VERSION (shares most packages with kube-apiserver)"
  (cd "$src" && go get "k8s.io/kubernetes/cmd/kubectl@$K8S_VERSION" && go build -trimpath \
    -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION" -o "$KUBECTL_BIN.tmp" k8s.io/kubernetes/cmd/kubectl)
  mv "$KUBECTL_BIN.tmp" "$KUBECTL_BIN"
}

build_etcd() {
  local src="$CACHE/src/etcd-$ETCD_VERSION"
  mkdir -p "$src" "$(dirname "$ETCD_BIN")"
  printf 'module local.invalid/etcdbin\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$src/go.mod"
  say "resolving etcd $ETCD_VERSION"
  (cd "$src" && go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION")
  say "compiling etcd $ETCD_VERSION (first time: about a minute)"
  (cd "$src" && go build -trimpath -ldflags "-s -w" -o "$ETCD_BIN.tmp" go.etcd.io/etcd/server/v3)
  mv "$ETCD_BIN.tmp" "$ETCD_BIN"
}

if [ -x "$ETCD_BIN" ]; then say "etcd $ETCD_VERSION cached at $ETCD_BIN"; else build_etcd; fi
if [ -x "$APISERVER_BIN" ]; then say "kube-apiserver $K8S_VERSION cached at $APISERVER_BIN"; else build_apiserver; fi
if [ -x "$KUBECTL_BIN" ]; then say "kubectl $K8S_VERSION cached at $KUBECTL_BIN"; else build_kubectl; fi
say "ready: $APISERVER_BIN, $ETCD_BIN, $KUBECTL_BIN"
