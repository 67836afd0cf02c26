package main

// Printing as `helm template` prints (helm.sh/helm/v3/pkg/releaseutil, pkg/action): each file's
// output split into documents, empty ones dropped, hooks set apart, the rest in Helm's install
// order by kind (files in name order within a kind), each under `---\n# Source: <file>`; then
// the hooks.

import (
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"sigs.k8s.io/yaml"
)

var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
	"PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
	"ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
	"CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
	"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
	"DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
	"APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
}

var hookEvents = map[string]bool{
	"pre-install": true, "post-install": true, "pre-delete": true, "post-delete": true,
	"pre-upgrade": true, "post-upgrade": true, "pre-rollback": true, "post-rollback": true,
	"test": true, "test-success": true,
}

type simpleHead struct {
	Version  string `json:"apiVersion"`
	Kind     string `json:"kind,omitempty"`
	Metadata *struct {
		Name        string            `json:"name"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata,omitempty"`
}

type manifest struct {
	file, content, kind string
}

var documentSeparator = regexp.MustCompile(`(?m)^---[ \t]*`)

// splitManifests is releaseutil.SplitManifests: documents of one file, in order, empty ones out.
func splitManifests(text string) []string {
	var docs []string
	for _, d := range documentSeparator.Split(strings.TrimLeftFunc(text, unicode.IsSpace), -1) {
		if strings.TrimSpace(d) == "" {
			continue
		}
		docs = append(docs, strings.TrimLeftFunc(d, unicode.IsSpace))
	}
	return docs
}

// sortManifests is releaseutil.SortManifests with InstallOrder.
func sortManifests(rendered map[string]string) (hooks, generic []manifest, err error) {
	var names []string
	for name := range rendered {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		content := rendered[name]
		if strings.HasPrefix(path.Base(name), "_") || strings.TrimSpace(content) == "" {
			continue
		}
		for _, doc := range splitManifests(content) {
			var head simpleHead
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return nil, nil, fmt.Errorf("YAML parse error on %s: %s", name, err)
			}
			m := manifest{file: name, content: doc, kind: head.Kind}
			events := ""
			if head.Metadata != nil {
				events = head.Metadata.Annotations["helm.sh/hook"]
			}
			if events == "" {
				generic = append(generic, m)
				continue
			}
			known := true
			for _, event := range strings.Split(events, ",") {
				known = known && hookEvents[strings.ToLower(strings.TrimSpace(event))]
			}
			if known {
				hooks = append(hooks, m)
			}
		}
	}
	return byKind(hooks), byKind(generic), nil
}

func byKind(manifests []manifest) []manifest {
	rank := map[string]int{}
	for i, kind := range installOrder {
		rank[kind] = i
	}
	sort.SliceStable(manifests, func(i, j int) bool {
		a, aok := rank[manifests[i].kind]
		b, bok := rank[manifests[j].kind]
		switch {
		case !aok && !bok:
			return manifests[i].kind < manifests[j].kind
		case !aok:
			return false
		case !bok:
			return true
		}
		return a < b
	})
	return manifests
}

func printManifests(out io.Writer, chartName string, rendered map[string]string, withNotes, debug bool) error {
	notesName := path.Join(chartName, "templates", "NOTES.txt")
	notes, hasNotes := rendered[notesName]
	files := map[string]string{}
	for name, text := range rendered {
		if !strings.HasSuffix(name, "NOTES.txt") {
			files[name] = text
		}
	}
	hooks, generic, err := sortManifests(files)
	if err != nil {
		if debug {
			var names []string
			for name := range files {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				if strings.TrimSpace(files[name]) != "" {
					fmt.Fprintf(out, "---\n# Source: %s\n%s\n", name, files[name])
				}
			}
			return err
		}
		return fmt.Errorf("%s\n\nUse --debug flag to render out invalid YAML", err)
	}
	var manifests strings.Builder
	for _, m := range generic {
		fmt.Fprintf(&manifests, "---\n# Source: %s\n%s\n", m.file, m.content)
	}
	fmt.Fprintln(out, strings.TrimSpace(manifests.String()))
	for _, m := range hooks {
		fmt.Fprintf(out, "---\n# Source: %s\n%s\n", m.file, m.content)
	}
	if withNotes && hasNotes {
		fmt.Fprintf(out, "---\n# Source: %s\n%s\n", notesName, notes)
	}
	return nil
}
