package formats_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

// This file keeps RECORDS.md honest: every record type of this package
// has its section there, every JSON field of its struct is in the
// section's field table and every field of the table is in the struct,
// and every example line decodes into the struct (unknown fields refused)
// with the documented "type".

// stepsRequest, effectsBatch and bye are the protocol messages that have no
// struct in formats: the shapes exec/serve.go reads and writes.
type stepsRequest struct {
	Type  string                `json:"type"`
	Steps []formats.StepRequest `json:"steps"`
}

type effectsBatch struct {
	Type    string                 `json:"type"`
	Effects []formats.EffectsReply `json:"effects"`
}

type bye struct {
	Type string `json:"type"`
}

// docRecord is one section of RECORDS.md and the struct its records are.
type docRecord struct {
	key     string // the section's heading: the backticked words before any "—"
	typ     string // the value of "type"
	section string // cover: the value of "section"
	v       any    // the struct the records decode into
	union   bool   // the struct is a union (Step): the section lists the fields of its type only
	reader  bool   // v is a reader's partial view: its fields must be documented, not all of the doc's in it
}

var stepTypes = []string{
	formats.TypeInit, formats.TypeInvoke, formats.TypeOk, formats.TypeFail, formats.TypeInfo,
	formats.TypeDeliver, formats.TypeTimer, formats.TypeDrop, formats.TypeCrash, formats.TypeRestart,
	formats.TypePanic, formats.TypeEnd,
}

func docRecords() []docRecord {
	recs := []docRecord{
		{key: "test", typ: formats.TypeTest, v: formats.Test{}},
		{key: "op", typ: formats.TypeOp, v: formats.Op{}},
		{key: "run", typ: formats.TypeRun, v: formats.Run{}},
	}
	for _, typ := range stepTypes {
		recs = append(recs, docRecord{key: typ, typ: typ, v: formats.Step{}, union: true})
	}
	recs = append(recs,
		docRecord{key: "verdict", typ: formats.TypeVerdict, v: formats.Verdict{}},
		docRecord{key: "faults", typ: formats.TypeFaults, v: formats.Suggestion{}},
		docRecord{key: "faults", typ: formats.TypeFaults, v: formats.FaultSet{}, reader: true},
		docRecord{key: "certified", typ: formats.TypeCertified, v: formats.Certified{}},
		docRecord{key: "divergence", typ: formats.TypeDivergence, v: formats.Divergence{}},
		docRecord{key: "identical", typ: formats.TypeIdentical, v: formats.Identical{}},
		docRecord{key: "cover runs", typ: formats.TypeCover, section: formats.SectionRuns, v: formats.CoverRuns{}},
		docRecord{key: "cover messages", typ: formats.TypeCover, section: formats.SectionMessages, v: formats.CoverMessages{}},
		docRecord{key: "cover faults", typ: formats.TypeCover, section: formats.SectionFaults, v: formats.CoverFaults{}},
		docRecord{key: "cover states", typ: formats.TypeCover, section: formats.SectionStates, v: formats.CoverStates{}},
		docRecord{key: "cover ops", typ: formats.TypeCover, section: formats.SectionOps, v: formats.CoverOps{}},
		docRecord{key: "cover code", typ: formats.TypeCover, section: formats.SectionCode, v: formats.CoverCode{}},
		docRecord{key: "run_summary", typ: formats.TypeRunSummary, v: formats.RunSummary{}},
		docRecord{key: "test_summary", typ: formats.TypeTestSummary, v: formats.TestSummary{}},
		docRecord{key: "verify", typ: formats.TypeVerify, v: formats.VerifyReport{}},
		docRecord{key: "hello", typ: formats.MsgHello, v: formats.Hello{}},
		docRecord{key: "step", typ: formats.MsgStep, v: formats.StepRequest{}},
		docRecord{key: "effects", typ: formats.MsgEffects, v: formats.EffectsReply{}},
		docRecord{key: "steps", typ: formats.MsgSteps, v: stepsRequest{}},
		docRecord{key: "effects_batch", typ: formats.MsgEffectsBatch, v: effectsBatch{}},
		docRecord{key: "bye", typ: formats.MsgBye, v: bye{}},
	)
	return recs
}

// docSection is one "### " section of RECORDS.md.
type docSection struct {
	heading  string
	line     int             // of the heading
	fields   map[string]bool // first column of the field table
	examples []docExample    // the lines of its ```json blocks
	text     string
}

type docExample struct {
	line int
	text string
}

// readRecordsDoc parses RECORDS.md into its sections, by key.
func readRecordsDoc(t *testing.T) map[string]*docSection {
	t.Helper()
	data, err := os.ReadFile("RECORDS.md")
	if err != nil {
		t.Fatalf("RECORDS.md: %v", err)
	}
	secs := map[string]*docSection{}
	var cur *docSection
	inCode, jsonCode := false, false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
			jsonCode = inCode && strings.TrimPrefix(line, "```") == "json"
			continue
		}
		if inCode {
			if jsonCode && cur != nil && strings.TrimSpace(line) != "" {
				cur.examples = append(cur.examples, docExample{n, line})
			}
			continue
		}
		if strings.HasPrefix(line, "#") {
			cur = nil
			if h, ok := strings.CutPrefix(line, "### "); ok {
				key := headingKey(h)
				if key == "" {
					continue
				}
				if secs[key] != nil {
					t.Errorf("RECORDS.md:%d: a second section %q (the first is at line %d)", n, key, secs[key].line)
				}
				cur = &docSection{heading: h, line: n, fields: map[string]bool{}}
				secs[key] = cur
			}
			continue
		}
		if cur == nil {
			continue
		}
		cur.text += line + "\n"
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		name := strings.TrimSpace(cells[0])
		if len(cells) < 3 || strings.Count(name, "`") != 2 || !strings.HasPrefix(name, "`") || !strings.HasSuffix(name, "`") {
			t.Errorf("RECORDS.md:%d: a field row must be | `name` | type | meaning |: %s", n, line)
			continue
		}
		for _, c := range cells[1:3] {
			if strings.TrimSpace(c) == "" {
				t.Errorf("RECORDS.md:%d: field %s of %q has an empty type or meaning", n, name, cur.heading)
			}
		}
		name = strings.Trim(name, "`")
		if cur.fields[name] {
			t.Errorf("RECORDS.md:%d: field %q listed twice under %q", n, name, cur.heading)
		}
		cur.fields[name] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("RECORDS.md: %v", err)
	}
	return secs
}

// headingKey is the backticked words of a heading before any "—", joined
// by a space: "`cover` section `runs` — …" is "cover runs".
func headingKey(h string) string {
	h, _, _ = strings.Cut(h, "—")
	var words []string
	for {
		_, rest, ok := strings.Cut(h, "`")
		if !ok {
			break
		}
		w, rest, ok := strings.Cut(rest, "`")
		if !ok {
			break
		}
		words = append(words, w)
		h = rest
	}
	return strings.Join(words, " ")
}

var (
	rawMessageType  = reflect.TypeOf(json.RawMessage(nil))
	unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
)

// jsonPaths lists the JSON field paths of a struct type: "a.file",
// "sends[].id". Embedded structs are flattened as encoding/json does; raw
// JSON, any and types with their own JSON methods (Fault) are leaves.
func jsonPaths(t reflect.Type, prefix string, out map[string]bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			jsonPaths(ft, prefix, out)
			continue
		}
		if name == "" {
			name = f.Name
		}
		path := prefix + name
		out[path] = true
		sub := path + "."
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Slice && ft != rawMessageType {
			ft, sub = ft.Elem(), path+"[]."
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
		}
		if ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(unmarshalerType) {
			jsonPaths(ft, sub, out)
		}
	}
}

func pathsOf(v any) map[string]bool {
	out := map[string]bool{}
	jsonPaths(reflect.TypeOf(v), "", out)
	return out
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// exampleFields checks that every field of an example record is
// documented: the object's keys, and the keys inside the values whose
// fields the section documents (path + "." or path + "[].").
func exampleFields(t *testing.T, where, key string, fields map[string]bool, v any, prefix string) {
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	for _, k := range sortedKeysAny(obj) {
		path := prefix + k
		if !fields[path] {
			t.Errorf("%s: the example of %q has field %q, which is not in the field table under ### `%s`", where, key, path, key)
			continue
		}
		if hasPrefix(fields, path+".") {
			exampleFields(t, where, key, fields, obj[k], path+".")
		}
		if arr, ok := obj[k].([]any); ok && hasPrefix(fields, path+"[].") {
			for _, e := range arr {
				exampleFields(t, where, key, fields, e, path+"[].")
			}
		}
	}
}

func sortedKeysAny(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func hasPrefix(fields map[string]bool, p string) bool {
	for f := range fields {
		if strings.HasPrefix(f, p) {
			return true
		}
	}
	return false
}

// TestRecordsDoc checks RECORDS.md against the record structs.
func TestRecordsDoc(t *testing.T) {
	secs := readRecordsDoc(t)
	stepUnion := map[string]bool{}
	for _, r := range docRecords() {
		name := reflect.TypeOf(r.v).String()
		sec := secs[r.key]
		if sec == nil {
			t.Errorf("RECORDS.md: no section for type %q (%s): add a heading ### `%s`", r.typ, name, strings.ReplaceAll(r.key, " ", "` section `"))
			continue
		}
		where := fmt.Sprintf("RECORDS.md:%d", sec.line)
		if !strings.Contains(sec.text, "Written by") || !strings.Contains(sec.text, "read by") {
			t.Errorf("%s: the section of %q says neither who writes it (\"Written by\") nor who reads it (\"read by\")", where, r.key)
		}
		paths := pathsOf(r.v)
		if r.union {
			for f := range sec.fields {
				stepUnion[f] = true
			}
			for _, f := range sortedKeys(pathsOf(formats.Head{})) {
				if !sec.fields[f] {
					t.Errorf("%s: type %q: field %q (every step record has it, formats.Head) is not documented under ### `%s`", where, r.typ, f, r.key)
				}
			}
		} else {
			for _, f := range sortedKeys(paths) {
				if !sec.fields[f] {
					t.Errorf("%s: type %q (%s): field %q is not documented under ### `%s`", where, r.typ, name, f, r.key)
				}
			}
		}
		if !r.reader {
			for _, f := range sortedKeys(sec.fields) {
				if !paths[f] {
					t.Errorf("%s: type %q: RECORDS.md documents field %q, which %s does not have", where, r.typ, f, name)
				}
			}
		}
		if len(sec.examples) == 0 {
			t.Errorf("%s: type %q has no example line (a ```json block under ### `%s`)", where, r.typ, r.key)
		}
		for _, ex := range sec.examples {
			at := "RECORDS.md:" + strconv.Itoa(ex.line)
			var m map[string]any
			if err := json.Unmarshal([]byte(ex.text), &m); err != nil {
				t.Errorf("%s: the example of %q is not a JSON object: %v", at, r.key, err)
				continue
			}
			if m["type"] != r.typ {
				t.Errorf("%s: the example under ### `%s` has \"type\" %v, want %q", at, r.key, m["type"], r.typ)
			}
			if r.section != "" && m["section"] != r.section {
				t.Errorf("%s: the example under ### `%s` has \"section\" %v, want %q", at, r.key, m["section"], r.section)
			}
			dec := json.NewDecoder(strings.NewReader(ex.text))
			dec.DisallowUnknownFields()
			dst := reflect.New(reflect.TypeOf(r.v))
			if err := dec.Decode(dst.Interface()); err != nil && !r.reader {
				t.Errorf("%s: the example of %q does not decode into %s: %v", at, r.key, name, err)
			}
			exampleFields(t, at, r.key, sec.fields, m, "")
		}
	}
	for _, f := range sortedKeys(pathsOf(formats.Step{})) {
		if !stepUnion[f] {
			t.Errorf("RECORDS.md: field %q of formats.Step is documented under none of the step types (%s)", f, strings.Join(stepTypes, ", "))
		}
	}
	checkFaultDoc(t, secs["fault"])
}

// checkFaultDoc checks the fault objects' section against what Fault's
// JSON methods write and read, kind by kind.
func checkFaultDoc(t *testing.T, sec *docSection) {
	if sec == nil {
		t.Errorf("RECORDS.md: no section ### `fault` for the fault objects (formats.Fault)")
		return
	}
	until := int64(9)
	all := map[string]bool{}
	for _, kind := range []string{formats.FaultOmission, formats.FaultCrash, formats.FaultRestart, formats.FaultPartition,
		formats.FaultSkew, formats.FaultDuplicate, formats.FaultDelay} {
		f := formats.Fault{Kind: kind, Node: "a", From: "a", To: "b", At: 1, Until: &until, By: 2,
			Groups: [][]string{{"a"}, {"b"}}, Start: 1, OneWay: true, Offset: 3, DriftPPM: 4}
		raw, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			all[k] = true
			if !sec.fields[k] {
				t.Errorf("RECORDS.md:%d: a %q fault has field %q, which is not documented under ### `fault`", sec.line, kind, k)
			}
		}
		if !strings.Contains(sec.text, "`"+kind+"`") {
			t.Errorf("RECORDS.md:%d: fault kind %q is not mentioned under ### `fault`", sec.line, kind)
		}
	}
	for _, k := range sortedKeys(sec.fields) {
		if !all[k] {
			t.Errorf("RECORDS.md:%d: field %q is documented under ### `fault`, but no fault kind has it", sec.line, k)
		}
	}
	if len(sec.examples) == 0 {
		t.Errorf("RECORDS.md:%d: no example fault", sec.line)
	}
	for _, ex := range sec.examples {
		var f formats.Fault
		if err := json.Unmarshal([]byte(ex.text), &f); err != nil {
			t.Errorf("RECORDS.md:%d: the example fault does not decode: %v", ex.line, err)
		}
	}
}

// TestRecordsDocComplete checks that every record type of the package is
// in docRecords, so that a new type cannot skip RECORDS.md: every Type*
// and Msg* constant, every cover Section* constant, and every exported
// struct with a "type" field.
func TestRecordsDocComplete(t *testing.T) {
	typs, sections, structs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range docRecords() {
		typs[r.typ] = true
		sections[r.section] = true
		structs[reflect.TypeOf(r.v).Name()] = true
	}
	structs["Head"] = true // embedded in Step: checked in every step type's section
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range pkgs {
		for _, file := range pkg.Files {
			ast.Inspect(file, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ValueSpec:
					for i, id := range n.Names {
						if i >= len(n.Values) {
							continue
						}
						lit, ok := n.Values[i].(*ast.BasicLit)
						if !ok || lit.Kind != token.STRING {
							continue
						}
						v, _ := strconv.Unquote(lit.Value)
						where := fset.Position(id.Pos())
						switch {
						case strings.HasPrefix(id.Name, "Type") || strings.HasPrefix(id.Name, "Msg"):
							if !typs[v] {
								t.Errorf("%s: record type %s = %q is not in RECORDS.md's test (docRecords): document it", where, id.Name, v)
							}
						case strings.HasPrefix(id.Name, "Section"):
							if !sections[v] {
								t.Errorf("%s: cover section %s = %q is not in RECORDS.md's test (docRecords): document it", where, id.Name, v)
							}
						}
					}
				case *ast.TypeSpec:
					st, ok := n.Type.(*ast.StructType)
					if !ok || !n.Name.IsExported() {
						return true
					}
					for _, f := range st.Fields.List {
						if f.Tag != nil && strings.Contains(f.Tag.Value, `json:"type"`) && !structs[n.Name.Name] {
							t.Errorf("%s: struct %s has a \"type\" field but is not in RECORDS.md's test (docRecords): document it", fset.Position(n.Pos()), n.Name.Name)
						}
					}
				}
				return true
			})
		}
	}
}
