package formats_test

import (
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

// TestSchemasMatchTypes keeps formats/schema/*.schema.json, which
// executors in other languages follow, in step with the Go types: every
// JSON field of the type is a property of the schema, and the other way.
func TestSchemasMatchTypes(t *testing.T) {
	cases := []struct {
		file string
		typ  any
		path []string // into nested properties
	}{
		{"step.schema.json", formats.StepRequest{}, nil},
		{"step.schema.json", formats.Event{}, []string{"event"}},
		{"effects.schema.json", formats.EffectsReply{}, nil},
		{"effects.schema.json", formats.Send{}, []string{"sends", "items"}},
		{"effects.schema.json", formats.TimerSet{}, []string{"timers", "items"}},
		{"hello.schema.json", formats.Hello{}, nil},
		{"hello.schema.json", formats.NodeSpec{}, []string{"nodes", "items"}},
	}
	for _, c := range cases {
		t.Run(c.file+"/"+strings.Join(c.path, "."), func(t *testing.T) {
			raw, err := os.ReadFile("schema/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			var schema map[string]any
			if err := json.Unmarshal(raw, &schema); err != nil {
				t.Fatalf("%s is not JSON: %v", c.file, err)
			}
			node := schema
			for _, p := range c.path {
				if props, ok := node["properties"].(map[string]any); ok && props[p] != nil {
					node = props[p].(map[string]any)
				} else {
					node = node[p].(map[string]any)
				}
			}
			props, _ := node["properties"].(map[string]any)
			var inSchema, inType []string
			for k := range props {
				inSchema = append(inSchema, k)
			}
			rt := reflect.TypeOf(c.typ)
			for i := 0; i < rt.NumField(); i++ {
				name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
				inType = append(inType, name)
			}
			sort.Strings(inSchema)
			sort.Strings(inType)
			if strings.Join(inSchema, ",") != strings.Join(inType, ",") {
				t.Errorf("schema has %v, Go type has %v", inSchema, inType)
			}
		})
	}
}
