package main

// Helm's --set syntax (helm.sh/helm/v3/pkg/strvals), which --set, --set-string and --set-file
// share; only the typing of the values differs.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// setParser reads Helm's --set syntax (pkg/strvals): a=1,b.c=x,list={x,y},arr[0].d=z; `\`
// escapes the next character.
type setParser struct {
	sc     *bytes.Buffer
	reader func([]rune) (interface{}, error)
}

var errNotList = errors.New("not a list")

const maxIndex = 65536

func (t *setParser) parse(data map[string]interface{}) error {
	for {
		err := t.key(data, 0)
		if err == nil {
			continue
		}
		if err == io.EOF {
			return nil
		}
		return err
	}
}

func (t *setParser) key(data map[string]interface{}, level int) (reterr error) {
	defer func() {
		if r := recover(); r != nil {
			reterr = fmt.Errorf("unable to parse key: %s", r)
		}
	}()
	k, last, err := runesUntil(t.sc, "=[,.")
	switch {
	case err != nil:
		if len(k) == 0 {
			return err
		}
		return fmt.Errorf("key %q has no value", string(k))
	case last == '[':
		i, err := t.keyIndex()
		if err != nil {
			return fmt.Errorf("error parsing index: %s", err)
		}
		list := []interface{}{}
		if _, ok := data[string(k)]; ok {
			list = data[string(k)].([]interface{})
		}
		list, err = t.listItem(list, i, level)
		set(data, string(k), list)
		return err
	case last == '=':
		vl, e := t.valList()
		switch {
		case e == nil:
			set(data, string(k), vl)
			return nil
		case e == io.EOF:
			set(data, string(k), "")
			return e
		case e == errNotList:
			rs, e := t.val()
			if e != nil && e != io.EOF {
				return e
			}
			v, e := t.reader(rs)
			set(data, string(k), v)
			return e
		default:
			return e
		}
	case last == ',':
		set(data, string(k), "")
		return fmt.Errorf("key %q has no value (cannot end with ,)", string(k))
	default: // '.'
		level++
		if level > 30 {
			return fmt.Errorf("value name nested level is greater than maximum supported nested level of 30")
		}
		inner := map[string]interface{}{}
		if _, ok := data[string(k)]; ok {
			inner = data[string(k)].(map[string]interface{})
		}
		e := t.key(inner, level)
		if e == nil && len(inner) == 0 {
			return fmt.Errorf("key map %q has no value", string(k))
		}
		if len(inner) != 0 {
			set(data, string(k), inner)
		}
		return e
	}
}

func set(data map[string]interface{}, key string, val interface{}) {
	if key != "" {
		data[key] = val
	}
}

func setIndex(list []interface{}, index int, val interface{}) ([]interface{}, error) {
	if index < 0 {
		return list, fmt.Errorf("negative %d index not allowed", index)
	}
	if index > maxIndex {
		return list, fmt.Errorf("index of %d is greater than maximum supported index of %d", index, maxIndex)
	}
	if len(list) <= index {
		grown := make([]interface{}, index+1)
		copy(grown, list)
		list = grown
	}
	list[index] = val
	return list, nil
}

func (t *setParser) keyIndex() (int, error) {
	v, _, err := runesUntil(t.sc, "]")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(v))
}

func (t *setParser) listItem(list []interface{}, i, level int) ([]interface{}, error) {
	if i < 0 {
		return list, fmt.Errorf("negative %d index not allowed", i)
	}
	k, last, err := runesUntil(t.sc, "[.=")
	switch {
	case len(k) > 0:
		return list, fmt.Errorf("unexpected data at end of array index: %q", k)
	case err != nil:
		return list, err
	case last == '=':
		vl, e := t.valList()
		switch {
		case e == nil:
			return setIndex(list, i, vl)
		case e == io.EOF:
			return setIndex(list, i, "")
		case e == errNotList:
			rs, e := t.val()
			if e != nil && e != io.EOF {
				return list, e
			}
			v, e := t.reader(rs)
			if e != nil {
				return list, e
			}
			return setIndex(list, i, v)
		default:
			return list, e
		}
	case last == '[':
		next, err := t.keyIndex()
		if err != nil {
			return list, fmt.Errorf("error parsing index: %s", err)
		}
		var inner []interface{}
		if len(list) > i && list[i] != nil {
			inner = list[i].([]interface{})
		}
		inner, err = t.listItem(inner, next, level)
		if err != nil {
			return list, err
		}
		return setIndex(list, i, inner)
	default: // '.'
		inner := map[string]interface{}{}
		if len(list) > i {
			var ok bool
			if inner, ok = list[i].(map[string]interface{}); !ok {
				inner = map[string]interface{}{}
				list[i] = inner
			}
		}
		if e := t.key(inner, level); e != nil {
			return list, e
		}
		return setIndex(list, i, inner)
	}
}

func (t *setParser) val() ([]rune, error) {
	v, _, err := runesUntil(t.sc, ",")
	return v, err
}

func (t *setParser) valList() ([]interface{}, error) {
	r, _, e := t.sc.ReadRune()
	if e != nil {
		return []interface{}{}, e
	}
	if r != '{' {
		_ = t.sc.UnreadRune()
		return []interface{}{}, errNotList
	}
	list := []interface{}{}
	for {
		rs, last, err := runesUntil(t.sc, ",}")
		switch {
		case err == io.EOF:
			return list, errors.New("list must terminate with '}'")
		case err != nil:
			return list, err
		case last == '}':
			if r, _, e := t.sc.ReadRune(); e == nil && r != ',' {
				_ = t.sc.UnreadRune()
			}
			v, e := t.reader(rs)
			return append(list, v), e
		default: // ','
			v, e := t.reader(rs)
			if e != nil {
				return list, e
			}
			list = append(list, v)
		}
	}
}

func runesUntil(in io.RuneReader, stop string) ([]rune, rune, error) {
	v := []rune{}
	for {
		r, _, e := in.ReadRune()
		switch {
		case e != nil:
			return v, r, e
		case strings.ContainsRune(stop, r):
			return v, r, nil
		case r == '\\':
			next, _, e := in.ReadRune()
			if e != nil {
				return v, next, e
			}
			v = append(v, next)
		default:
			v = append(v, r)
		}
	}
}

// typedVal types a --set value as Helm does: true/false/null, int64 for integers without a leading
// zero, a string for everything else (so 1.5 stays "1.5").
func typedVal(v []rune, asString bool) interface{} {
	val := string(v)
	if asString {
		return val
	}
	switch {
	case strings.EqualFold(val, "true"):
		return true
	case strings.EqualFold(val, "false"):
		return false
	case strings.EqualFold(val, "null"):
		return nil
	case val == "0":
		return int64(0)
	}
	if val != "" && val[0] != '0' {
		if i, err := strconv.ParseInt(val, 10, 64); err == nil {
			return i
		}
	}
	return val
}
