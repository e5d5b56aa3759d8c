package pipe_test

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/exec/examples/register/nodes"
)

type stringsBuilder = strings.Builder

func registerKinds() exec.Kinds { return nodes.Kinds }

var runField = regexp.MustCompile(`"run":"r-[0-9a-f]+"|"build":"[^"]*"`)

// normalize removes what names the run (its id and the executor build).
func normalize(trace string) string { return runField.ReplaceAllString(trace, `"run":"-"`) }

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n%s\n%s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(al), len(bl))
}
