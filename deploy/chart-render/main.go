// Command chart-render prints what `helm template` prints for a chart, rendered the way Helm 3
// renders it: Go's own text/template with sprig's function library and Helm's extra functions,
// values coalesced as Helm coalesces them and validated against values.schema.json, manifests
// split, sorted by kind and printed under `# Source:` headers. Nothing talks to a cluster:
// `lookup` finds nothing, as in `helm template`.
//
// It is built offline from Debian's Go packages (see DEVELOPERS.md):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o chart-render .
//
// Usage: chart-render [flags] [[NAME] CHART]; `npm run chart:render --` passes --chart helm/tidings.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

const usage = `Usage: chart-render [flags] [[NAME] CHART]

Renders a chart as "helm template" does and prints the manifests.

Flags:
  -f, --values FILE         values file ("-" for stdin); repeatable, later files win
      --set a.b=c           a value, in Helm's --set syntax (a.b[0]=x, list={x,y}); repeatable
      --set-string a.b=c    the same, always as a string
      --set-file a.b=FILE   the same, the value being FILE's content
      --release NAME        release name (default "release-name"; or the NAME argument)
  -n, --namespace NS        release namespace (default "default")
      --chart DIR           chart directory, when no CHART argument is given
      --kube-version V      Kubernetes version for .Capabilities and Chart.yaml's kubeVersion (default "` + defaultKubeVersion + `")
  -a, --api-versions G/V    an extra API version for .Capabilities.APIVersions; repeatable
      --is-upgrade          render as an upgrade (.Release.IsUpgrade) instead of an install
      --skip-schema-validation
                            do not check the values against values.schema.json
      --notes               print the rendered NOTES.txt last, under its own # Source: header
      --debug               on a YAML error, print the rendered templates as they are
`

type options struct {
	chart, release, namespace, kubeVersion string
	valueFiles, set, setString, setFile    []string
	apiVersions                            []string
	isUpgrade, skipSchema, notes, debug    bool
}

func parseArgs(args []string) (*options, error) {
	o := &options{release: "release-name", namespace: "default", kubeVersion: defaultKubeVersion}
	var positional []string
	releaseGiven := false
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			positional = append(positional, arg)
			continue
		}
		name, value, hasValue := strings.Cut(arg, "=")
		next := func() (string, error) {
			if hasValue {
				return value, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("flag needs an argument: %s", name)
			}
			i++
			return args[i], nil
		}
		var err error
		var v string
		switch name {
		case "-f", "--values":
			v, err = next()
			o.valueFiles = append(o.valueFiles, v)
		case "--set":
			v, err = next()
			o.set = append(o.set, v)
		case "--set-string":
			v, err = next()
			o.setString = append(o.setString, v)
		case "--set-file":
			v, err = next()
			o.setFile = append(o.setFile, v)
		case "--release", "--name":
			o.release, err = next()
			releaseGiven = true
		case "-n", "--namespace":
			o.namespace, err = next()
		case "--chart":
			o.chart, err = next()
		case "--kube-version":
			o.kubeVersion, err = next()
		case "-a", "--api-versions":
			v, err = next()
			o.apiVersions = append(o.apiVersions, strings.Split(v, ",")...)
		case "--is-upgrade":
			o.isUpgrade = true
		case "--skip-schema-validation":
			o.skipSchema = true
		case "--notes":
			o.notes = true
		case "--debug":
			o.debug = true
		case "-h", "--help":
			return nil, errHelp
		default:
			return nil, fmt.Errorf("unknown flag: %s", name)
		}
		if err != nil {
			return nil, err
		}
	}
	switch len(positional) {
	case 0:
	case 1:
		o.chart = positional[0]
	case 2:
		if releaseGiven {
			return nil, fmt.Errorf("the release is named twice: --release and %q", positional[0])
		}
		o.release, o.chart = positional[0], positional[1]
	default:
		return nil, fmt.Errorf("expected at most 2 arguments, [NAME] CHART; got %d", len(positional))
	}
	if o.chart == "" {
		return nil, fmt.Errorf("no chart: give CHART or --chart")
	}
	return o, nil
}

var errHelp = fmt.Errorf("help")

func main() {
	o, err := parseArgs(os.Args[1:])
	if err == errHelp {
		fmt.Print(usage)
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %s\n\n%s", err, usage)
		os.Exit(1)
	}
	if err := run(o, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "Error: %s\n", err)
		os.Exit(1)
	}
}

// run does what `helm template` does between reading its flags and printing.
func run(o *options, stdin io.Reader, out io.Writer) error {
	chart, err := loadChart(o.chart)
	if err != nil {
		return err
	}
	caps, err := newCapabilities(o.kubeVersion, o.apiVersions)
	if err != nil {
		return err
	}
	if err := checkKubeVersion(chart.Metadata, caps); err != nil {
		return err
	}
	given, err := userValues(o, stdin)
	if err != nil {
		return err
	}
	values := coalesceValues(chart.Values, given)
	if !o.skipSchema && chart.Schema != nil {
		if err := validateAgainstSchema(chart.Schema, values); err != nil {
			return fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s:\n%s", chart.Metadata.Name, err)
		}
	}
	top := map[string]interface{}{
		"Chart":        chartObject(chart.Metadata),
		"Capabilities": caps,
		"Release": map[string]interface{}{
			"Name":      o.release,
			"Namespace": o.namespace,
			"IsUpgrade": o.isUpgrade,
			"IsInstall": !o.isUpgrade,
			"Revision":  1,
			"Service":   "Helm",
		},
		"Values":    values,
		"Files":     newFiles(chart.Files),
		"Subcharts": map[string]interface{}{},
	}
	files, err := render(chart, top)
	if err != nil {
		return err
	}
	return printManifests(out, chart.Metadata.Name, files, o.notes, o.debug)
}
