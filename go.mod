module github.com/detsys/detsys

go 1.26.8

require (
	github.com/go-air/gini v1.0.4
	github.com/jessevdk/go-flags v1.6.1
	github.com/rogpeppe/go-internal v1.16.0
	github.com/tidwall/gjson v1.20.1
)

require (
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.0 // indirect
	golang.org/x/sys v0.26.0 // indirect
	golang.org/x/tools v0.26.0 // indirect
)
