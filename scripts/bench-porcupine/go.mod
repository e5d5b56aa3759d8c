module github.com/detsys/detsys/scripts/bench-porcupine

go 1.26.8

require (
	github.com/anishathalye/porcupine v1.3.1
	github.com/detsys/detsys v0.0.0
)

require (
	github.com/tidwall/gjson v1.20.1 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.0 // indirect
)

replace github.com/detsys/detsys => ../..
