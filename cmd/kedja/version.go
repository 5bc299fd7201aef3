package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

func runVersion(ctx context.Context, k *cli, args []string) error {
	f := newFlags("version", "Print the version: the commit kedja was built from, else its module version, else dev.")
	f.example("kedja version")
	if err := f.parse(k, args); err != nil {
		return err
	}
	fmt.Fprintln(k.out, "kedja", version())
	return nil
}

func version() string {
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
