#!/bin/sh
# `npm run chart:render -- [flags] [[NAME] CHART]`: builds chart-render from Debian's Go packages
# (Go's build cache makes every build after the first a second or so) and runs it on helm/tidings
# unless a chart is given. Flags are helm template's: -f, --set, --release, --namespace, ...
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/github.com/Masterminds/sprig ]; then
  echo "chart-render needs Go and the Go libraries it is built from:" >&2
  echo "  apt-get install golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev \\" >&2
  echo "    golang-github-xeipuuv-gojsonschema-dev golang-github-gobwas-glob-dev golang-gopkg-yaml.v3-dev" >&2
  exit 1
fi
bin="${TMPDIR:-/tmp}/tidings-chart-render"
(cd "$here" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o "$bin.$$" . && mv "$bin.$$" "$bin")
# npm runs a script from the repository root: relative paths (-f my-values.yaml) are the caller's.
cd "${INIT_CWD:-$PWD}"
exec "$bin" --chart "$root/helm/tidings" "$@"
