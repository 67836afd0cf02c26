package main

// Loading a chart directory as Helm's loader does (helm.sh/helm/v3/pkg/chart/loader: LoadDir,
// LoadFiles; pkg/ignore for .helmignore): Chart.yaml into the metadata, values.yaml and
// values.schema.json kept apart, templates/ as templates, every other file in .Files.

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/Masterminds/semver"
	"sigs.k8s.io/yaml"
)

// Maintainer, Dependency and Metadata are Helm's chart.Metadata: templates read them as
// .Chart.Name, .Chart.AppVersion, ... (Go field names, not Chart.yaml's keys).
type Maintainer struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
}

type Dependency struct {
	Name         string        `json:"name"`
	Version      string        `json:"version,omitempty"`
	Repository   string        `json:"repository"`
	Condition    string        `json:"condition,omitempty"`
	Tags         []string      `json:"tags,omitempty"`
	Enabled      bool          `json:"enabled,omitempty"`
	ImportValues []interface{} `json:"import-values,omitempty"`
	Alias        string        `json:"alias,omitempty"`
}

type Metadata struct {
	Name         string            `json:"name,omitempty"`
	Home         string            `json:"home,omitempty"`
	Sources      []string          `json:"sources,omitempty"`
	Version      string            `json:"version,omitempty"`
	Description  string            `json:"description,omitempty"`
	Keywords     []string          `json:"keywords,omitempty"`
	Maintainers  []*Maintainer     `json:"maintainers,omitempty"`
	Icon         string            `json:"icon,omitempty"`
	APIVersion   string            `json:"apiVersion,omitempty"`
	Condition    string            `json:"condition,omitempty"`
	Tags         string            `json:"tags,omitempty"`
	AppVersion   string            `json:"appVersion,omitempty"`
	Deprecated   bool              `json:"deprecated,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	KubeVersion  string            `json:"kubeVersion,omitempty"`
	Dependencies []*Dependency     `json:"dependencies,omitempty"`
	Type         string            `json:"type,omitempty"`
}

// chartObject is .Chart: the metadata and IsRoot, as Helm 3 gives it to templates.
func chartObject(m *Metadata) interface{} {
	return struct {
		Metadata
		IsRoot bool
	}{*m, true}
}

type chartFile struct {
	Name string // slash-separated, relative to the chart directory
	Data []byte
}

type Chart struct {
	Metadata  *Metadata
	Values    map[string]interface{}
	Schema    []byte
	Templates []chartFile
	Files     []chartFile
}

var utf8bom = []byte{0xEF, 0xBB, 0xBF}

func loadChart(dir string) (*Chart, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s: only chart directories are supported, not archives", dir)
	}
	rules, err := loadIgnoreRules(filepath.Join(dir, ".helmignore"))
	if err != nil {
		return nil, err
	}
	c := &Chart{Values: map[string]interface{}{}}
	err = filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		name := filepath.ToSlash(rel)
		if name == "." {
			return nil
		}
		if entry.IsDir() {
			if rules.ignore(name, true) {
				return filepath.SkipDir
			}
			return nil
		}
		if rules.ignore(name, false) {
			return nil
		}
		if !entry.Type().IsRegular() {
			return fmt.Errorf("cannot load irregular file %s as it has file mode type bits set", path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		data = bytes.TrimPrefix(data, utf8bom)
		return c.add(chartFile{name, data})
	})
	if err != nil {
		return nil, err
	}
	if c.Metadata == nil {
		return nil, fmt.Errorf("%s: Chart.yaml file is missing", dir)
	}
	if err := validateMetadata(c.Metadata); err != nil {
		return nil, fmt.Errorf("validation: %s", err)
	}
	sort.Slice(c.Templates, func(i, j int) bool { return c.Templates[i].Name < c.Templates[j].Name })
	return c, nil
}

func (c *Chart) add(f chartFile) error {
	switch {
	case f.Name == "Chart.yaml":
		c.Metadata = &Metadata{}
		if err := yaml.Unmarshal(f.Data, c.Metadata); err != nil {
			return fmt.Errorf("cannot load Chart.yaml: %s", err)
		}
		if c.Metadata.APIVersion == "" {
			c.Metadata.APIVersion = "v1"
		}
	case f.Name == "values.yaml":
		values, err := readValues(f.Data)
		if err != nil {
			return fmt.Errorf("cannot load values.yaml: %s", err)
		}
		c.Values = values
	case f.Name == "values.schema.json":
		c.Schema = f.Data
	case f.Name == "Chart.lock", f.Name == "requirements.yaml", f.Name == "requirements.lock":
		// Dependencies' files: charts/ would hold the dependencies, which are not supported.
	case strings.HasPrefix(f.Name, "templates/"):
		c.Templates = append(c.Templates, f)
	case strings.HasPrefix(f.Name, "charts/"):
		return fmt.Errorf("%s: subcharts (charts/) are not supported by chart-render", f.Name)
	default:
		c.Files = append(c.Files, f)
	}
	return nil
}

// validateMetadata is the part of Helm's Metadata.Validate that a chart directory can get wrong.
func validateMetadata(m *Metadata) error {
	if m.APIVersion != "v1" && m.APIVersion != "v2" {
		return fmt.Errorf("chart.metadata.apiVersion %q is not supported", m.APIVersion)
	}
	if m.Name == "" {
		return fmt.Errorf("chart.metadata.name is required")
	}
	if m.Name != filepath.Base(m.Name) {
		return fmt.Errorf("chart.metadata.name %q is invalid", m.Name)
	}
	if m.Version == "" {
		return fmt.Errorf("chart.metadata.version is required")
	}
	if _, err := semver.NewVersion(m.Version); err != nil {
		return fmt.Errorf("chart.metadata.version %q is invalid", m.Version)
	}
	if m.Type != "" && m.Type != "application" && m.Type != "library" {
		return fmt.Errorf("chart.metadata.type must be application or library")
	}
	if m.Type == "library" {
		return fmt.Errorf("library charts are not installable")
	}
	return nil
}

// ignoreRule is a line of .helmignore (Helm's pkg/ignore); ignoreRules are the file's lines plus
// Helm's default, dotfiles in templates/.
type ignoreRule struct {
	pattern        string
	negate, isDir  bool
	rooted, nested bool
}

type ignoreRules []ignoreRule

func loadIgnoreRules(file string) (ignoreRules, error) {
	var rules ignoreRules
	data, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	data = bytes.TrimPrefix(data, utf8bom)
	for _, line := range append(strings.Split(string(data), "\n"), "templates/.?*") {
		rule := strings.TrimSpace(line)
		if rule == "" || strings.HasPrefix(rule, "#") {
			continue
		}
		if strings.Contains(rule, "**") {
			return nil, fmt.Errorf(".helmignore: double-star (**) syntax is not supported")
		}
		if _, err := filepath.Match(rule, "abc"); err != nil {
			return nil, fmt.Errorf(".helmignore: %s: %s", rule, err)
		}
		r := ignoreRule{}
		if strings.HasPrefix(rule, "!") {
			r.negate, rule = true, rule[1:]
		}
		if strings.HasSuffix(rule, "/") {
			r.isDir, rule = true, strings.TrimSuffix(rule, "/")
		}
		if strings.HasPrefix(rule, "/") {
			r.rooted, rule = true, rule[1:]
		}
		r.nested = strings.Contains(rule, "/")
		r.pattern = rule
		rules = append(rules, r)
	}
	return rules, nil
}

// ignore evaluates the rules in order; the first match decides, as in Helm.
func (rules ignoreRules) ignore(name string, isDir bool) bool {
	for _, r := range rules {
		subject := name
		if !r.rooted && !r.nested {
			subject = filepath.Base(name)
		}
		matched, _ := filepath.Match(r.pattern, subject)
		if r.negate {
			if r.isDir && !isDir {
				return true
			}
			if !matched {
				return true
			}
			continue
		}
		if r.isDir && !isDir {
			continue
		}
		if matched {
			return true
		}
	}
	return false
}
