// Sut-register is the executor of the register system under test: two
// register replicas behind a frontend, in four versions (frontend1 …
// frontend4; see package nodes for what each gets wrong or right).
//
//	gen register | sched --seed 7 --exec sut-register | check register
//	gen register --nodes frontend=frontend3,register1=register,register2=register |
//		sched --drop 0.2 --exec sut-register | check register
package main

import (
	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/exec/examples/register/nodes"
)

func main() { exec.Main(nodes.Kinds) }
