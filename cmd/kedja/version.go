package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

func runVersion(ctx context.Context, k *cli, args []string) error {
	f := newFlags("version", "Print the version: the one stamped at build time, else the commit kedja was built from, else its module version, else dev.")
	f.example("kedja version")
	if err := f.parse(k, args); err != nil {
		return err
	}
	fmt.Fprintln(k.out, "kedja", version())
	return nil
}

// stampedVersion is set at build time where Go's own VCS stamp is missing
// (a build outside a git checkout, -buildvcs=false): scripts/run-demo
// passes -ldflags "-X main.stampedVersion=$(git describe --always --dirty)".
var stampedVersion string

func version() string {
	if stampedVersion != "" {
		return stampedVersion
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return s.Value[:12]
			}
		}
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
	}
	return "dev"
}
