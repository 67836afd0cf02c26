package main

// The top-level objects Helm gives templates besides .Values and .Release: .Capabilities and
// .Files (helm.sh/helm/v3/pkg/chartutil/capabilities.go, pkg/engine/files.go).

import (
	"encoding/base64"
	"fmt"
	"path"
	"runtime"
	"strings"

	"github.com/Masterminds/semver"
	"github.com/gobwas/glob"
)

// The Kubernetes version `helm template` assumes unless told (Helm 3.17's, from its client-go).
const defaultKubeVersion = "v1.32.0"

// The API group versions a Kubernetes 1.32 API server serves: what `helm template` assumes for
// .Capabilities.APIVersions (--api-versions adds others, such as monitoring.coreos.com/v1).
var builtinAPIVersions = []string{
	"v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1",
	"apps/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1", "autoscaling/v1",
	"autoscaling/v2", "batch/v1", "certificates.k8s.io/v1", "coordination.k8s.io/v1",
	"discovery.k8s.io/v1", "events.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1",
	"networking.k8s.io/v1", "node.k8s.io/v1", "policy/v1", "rbac.authorization.k8s.io/v1",
	"scheduling.k8s.io/v1", "storage.k8s.io/v1",
}

// Capabilities, KubeVersion, VersionSet and BuildInfo are Helm's chartutil types behind
// .Capabilities: .Capabilities.KubeVersion.Version, .Capabilities.APIVersions.Has "apps/v1".
type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
	HelmVersion BuildInfo
}

type KubeVersion struct {
	Version string
	Major   string
	Minor   string
}

func (kv *KubeVersion) String() string     { return kv.Version }
func (kv *KubeVersion) GitVersion() string { return kv.Version }

type VersionSet []string

func (v VersionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

type BuildInfo struct {
	Version      string `json:"version,omitempty"`
	GitCommit    string `json:"git_commit,omitempty"`
	GitTreeState string `json:"git_tree_state,omitempty"`
	GoVersion    string `json:"go_version,omitempty"`
}

func newCapabilities(kubeVersion string, extra []string) (*Capabilities, error) {
	v, err := semver.NewVersion(kubeVersion)
	if err != nil {
		return nil, fmt.Errorf("invalid kube version %q: %s", kubeVersion, err)
	}
	versions := append(VersionSet{}, builtinAPIVersions...)
	for _, x := range extra {
		if x = strings.TrimSpace(x); x != "" {
			versions = append(versions, x)
		}
	}
	return &Capabilities{
		KubeVersion: KubeVersion{
			Version: "v" + v.String(),
			Major:   fmt.Sprint(v.Major()),
			Minor:   fmt.Sprint(v.Minor()),
		},
		APIVersions: versions,
		HelmVersion: BuildInfo{Version: "v3.17.0+chart-render", GoVersion: runtime.Version()},
	}, nil
}

// checkKubeVersion refuses a Kubernetes version outside Chart.yaml's kubeVersion, as Helm does.
func checkKubeVersion(m *Metadata, caps *Capabilities) error {
	if m.KubeVersion == "" {
		return nil
	}
	constraint, err := semver.NewConstraint(m.KubeVersion)
	if err != nil {
		return fmt.Errorf("chart.metadata.kubeVersion %q is invalid: %s", m.KubeVersion, err)
	}
	v, err := semver.NewVersion(caps.KubeVersion.Version)
	if err != nil || !constraint.Check(v) {
		return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", m.KubeVersion, caps.KubeVersion.Version)
	}
	return nil
}

// files is .Files: the chart's files that are neither templates nor Chart.yaml, values.yaml or
// values.schema.json, with Helm's methods.
type files map[string][]byte

func newFiles(from []chartFile) files {
	f := files{}
	for _, file := range from {
		f[file.Name] = file.Data
	}
	return f
}

func (f files) GetBytes(name string) []byte {
	if v, ok := f[name]; ok {
		return v
	}
	return []byte{}
}

func (f files) Get(name string) string { return string(f.GetBytes(name)) }

func (f files) Glob(pattern string) files {
	g, err := glob.Compile(pattern, '/')
	if err != nil {
		g, _ = glob.Compile("**")
	}
	matched := files{}
	for name, contents := range f {
		if g.Match(name) {
			matched[name] = contents
		}
	}
	return matched
}

func (f files) AsConfig() string {
	if f == nil {
		return ""
	}
	m := map[string]string{}
	for k, v := range f {
		m[path.Base(k)] = string(v)
	}
	return toYAML(m)
}

func (f files) AsSecrets() string {
	if f == nil {
		return ""
	}
	m := map[string]string{}
	for k, v := range f {
		m[path.Base(k)] = base64.StdEncoding.EncodeToString(v)
	}
	return toYAML(m)
}

func (f files) Lines(path string) []string {
	if f == nil || len(f[path]) == 0 {
		return []string{}
	}
	s := string(f[path])
	if s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return strings.Split(s, "\n")
}
