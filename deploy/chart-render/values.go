package main

// Values as Helm builds them: -f files merged in order, then --set, --set-string and --set-file
// (helm.sh/helm/v3/pkg/cli/values), coalesced over the chart's values.yaml
// (pkg/chartutil/coalesce.go), then checked against values.schema.json
// (pkg/chartutil/jsonschema.go, with the gojsonschema library Helm 3 used).

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xeipuuv/gojsonschema"
	"sigs.k8s.io/yaml"
)

// readValues parses a values file as Helm does: YAML to JSON, so every number is a float64.
func readValues(data []byte) (map[string]interface{}, error) {
	values := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &values); err != nil {
		return nil, err
	}
	if values == nil {
		values = map[string]interface{}{}
	}
	return values, nil
}

// mergeMaps is b over a; maps merge, anything else replaces.
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if v, ok := v.(map[string]interface{}); ok {
			if bv, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(bv, v)
				continue
			}
		}
		out[k] = v
	}
	return out
}

func userValues(o *options, stdin io.Reader) (map[string]interface{}, error) {
	base := map[string]interface{}{}
	for _, file := range o.valueFiles {
		var data []byte
		var err error
		if strings.TrimSpace(file) == "-" {
			data, err = io.ReadAll(stdin)
		} else {
			data, err = os.ReadFile(file)
		}
		if err != nil {
			return nil, err
		}
		current, err := readValues(data)
		if err != nil {
			return nil, fmt.Errorf("failed to parse %s: %s", file, err)
		}
		base = mergeMaps(base, current)
	}
	typed := func(rs []rune) (interface{}, error) { return typedVal(rs, false), nil }
	text := func(rs []rune) (interface{}, error) { return string(rs), nil }
	fromFile := func(rs []rune) (interface{}, error) {
		data, err := os.ReadFile(string(rs))
		return string(data), err
	}
	for _, group := range []struct {
		flag   string
		lines  []string
		reader func([]rune) (interface{}, error)
	}{{"--set", o.set, typed}, {"--set-string", o.setString, text}, {"--set-file", o.setFile, fromFile}} {
		for _, line := range group.lines {
			p := &setParser{sc: bytes.NewBufferString(line), reader: group.reader}
			if err := p.parse(base); err != nil {
				return nil, fmt.Errorf("failed parsing %s data: %s", group.flag, err)
			}
		}
	}
	return base, nil
}

// coalesceValues lays the user's values over the chart's: maps merge, the user's scalars and
// lists replace, and a user's null removes the key.
func coalesceValues(chartValues, given map[string]interface{}) map[string]interface{} {
	dest := deepCopy(given)
	defaults := deepCopy(chartValues)
	for key, val := range defaults {
		if value, ok := dest[key]; ok {
			if value == nil {
				delete(dest, key)
			} else if table, ok := value.(map[string]interface{}); ok {
				src, ok := val.(map[string]interface{})
				if !ok {
					if val != nil {
						warn("warning: skipped value for %s: Not a table.", key)
					}
				} else {
					cleanNilValues(src)
					coalesceTables(table, src, key)
				}
			}
		} else {
			if val == nil {
				continue
			}
			if sub, ok := val.(map[string]interface{}); ok {
				cleanNilValues(sub)
			}
			dest[key] = val
		}
	}
	return dest
}

func coalesceTables(dst, src map[string]interface{}, prefix string) {
	srcNonNil := map[string]bool{}
	for key, val := range src {
		if val != nil {
			srcNonNil[key] = true
		}
	}
	for key, val := range dst {
		if val == nil {
			src[key] = nil
		}
	}
	for key, val := range src {
		full := prefix + "." + key
		dv, ok := dst[key]
		switch {
		case ok && dv == nil && srcNonNil[key]:
			delete(dst, key)
		case !ok:
			dst[key] = val
		case isTable(val):
			if isTable(dv) {
				coalesceTables(dv.(map[string]interface{}), val.(map[string]interface{}), full)
			} else {
				warn("warning: cannot overwrite table with non table for %s (%v)", full, val)
			}
		case isTable(dv) && val != nil:
			warn("warning: destination for %s is a table. Ignoring non-table value (%v)", full, val)
		}
	}
}

func cleanNilValues(m map[string]interface{}) {
	for key, val := range m {
		if val == nil {
			delete(m, key)
		} else if sub, ok := val.(map[string]interface{}); ok {
			cleanNilValues(sub)
		}
	}
}

func isTable(v interface{}) bool {
	_, ok := v.(map[string]interface{})
	return ok
}

func warn(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}

// deepCopy copies maps and lists, the only containers values hold.
func deepCopy(m map[string]interface{}) map[string]interface{} {
	var copyValue func(v interface{}) interface{}
	copyValue = func(v interface{}) interface{} {
		switch v := v.(type) {
		case map[string]interface{}:
			out := make(map[string]interface{}, len(v))
			for k, item := range v {
				out[k] = copyValue(item)
			}
			return out
		case []interface{}:
			out := make([]interface{}, len(v))
			for i, item := range v {
				out[i] = copyValue(item)
			}
			return out
		default:
			return v
		}
	}
	if m == nil {
		return map[string]interface{}{}
	}
	return copyValue(m).(map[string]interface{})
}

// validateAgainstSchema is Helm 3's ValidateAgainstSingleSchema: the values as JSON against the
// schema, one "- path: problem" line per error.
func validateAgainstSchema(schema []byte, values map[string]interface{}) (reterr error) {
	defer func() {
		if r := recover(); r != nil {
			reterr = fmt.Errorf("unable to validate schema: %s", r)
		}
	}()
	valuesYAML, err := yaml.Marshal(values)
	if err != nil {
		return err
	}
	valuesJSON, err := yaml.YAMLToJSON(valuesYAML)
	if err != nil {
		return err
	}
	if bytes.Equal(valuesJSON, []byte("null")) {
		valuesJSON = []byte("{}")
	}
	result, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema), gojsonschema.NewBytesLoader(valuesJSON))
	if err != nil {
		return err
	}
	if result.Valid() {
		return nil
	}
	var sb strings.Builder
	for _, problem := range result.Errors() {
		sb.WriteString(fmt.Sprintf("- %s\n", problem))
	}
	return errors.New(sb.String())
}
