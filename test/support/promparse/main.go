// Command promparse reads the Prometheus text exposition format on stdin with Prometheus' own
// parser (github.com/prometheus/common/expfmt) and writes the families as JSON on stdout, so the
// tests check /metrics with the parser a Prometheus server uses. A parse error exits 1.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

type sample struct {
	Labels map[string]string `json:"labels"`
	Value  float64           `json:"value"`
	Count  uint64            `json:"count,omitempty"`
	Sum    float64           `json:"sum,omitempty"`
}

type family struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Samples []sample `json:"samples"`
}

func main() {
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := []family{}
	for name, f := range families {
		converted := family{Name: name, Type: f.GetType().String(), Samples: []sample{}}
		for _, m := range f.GetMetric() {
			s := sample{Labels: map[string]string{}}
			for _, label := range m.GetLabel() {
				s.Labels[label.GetName()] = label.GetValue()
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				s.Value = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				s.Value = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				s.Count = m.GetHistogram().GetSampleCount()
				s.Sum = m.GetHistogram().GetSampleSum()
				s.Value = float64(s.Count)
			default:
				s.Value = m.GetUntyped().GetValue()
			}
			converted.Samples = append(converted.Samples, s)
		}
		out = append(out, converted)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
