package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// flags is a command's flag set together with what its help shows: a
// description, the flags in the order they were defined with the word that
// stands for their value, which of them are required, and examples. The
// help is printed from the same definitions the arguments are parsed with,
// so the two cannot disagree.
type flags struct {
	fs       *flag.FlagSet
	name     string // after "kedja ": "token create"
	desc     string
	args     string // positional arguments for the usage line, e.g. "ID|PREFIX"
	list     []*flagHelp
	examples []string
}

type flagHelp struct {
	name     string
	arg      string // the value's placeholder: "ID", "DURATION"; "" for a bool
	zero     string // the default that goes unsaid
	quote    bool   // a string: its default is shown quoted
	common   bool   // one of every command's: listed last
	secret   bool   // the default is not shown (it may hold a password)
	env      string // the variable the default comes from
	required bool
	instead  []string // required unless one of these is given instead
}

func newFlags(name, desc string) *flags {
	return &flags{fs: flag.NewFlagSet("kedja "+name, flag.ContinueOnError), name: name, desc: desc}
}

func (f *flags) define(name, arg, zero string) *flagHelp {
	h := &flagHelp{name: name, arg: arg, zero: zero}
	f.list = append(f.list, h)
	return h
}

func (f *flags) lookup(name string) *flagHelp {
	for _, h := range f.list {
		if h.name == name {
			return h
		}
	}
	panic("kedja " + f.name + ": no flag " + name)
}

// StringVar defines a string flag; arg names its value in the help.
func (f *flags) StringVar(p *string, name, arg, value, usage string) {
	f.fs.StringVar(p, name, value, usage)
	f.define(name, arg, "").quote = true
}

func (f *flags) String(name, arg, value, usage string) *string {
	p := new(string)
	f.StringVar(p, name, arg, value, usage)
	return p
}

func (f *flags) Bool(name string, value bool, usage string) *bool {
	p := f.fs.Bool(name, value, usage)
	f.define(name, "", "false")
	return p
}

func (f *flags) Int(name, arg string, value int, usage string) *int {
	p := f.fs.Int(name, value, usage)
	f.define(name, arg, "0")
	return p
}

func (f *flags) Int64(name, arg string, value int64, usage string) *int64 {
	p := f.fs.Int64(name, value, usage)
	f.define(name, arg, "0")
	return p
}

func (f *flags) Uint64(name, arg string, value uint64, usage string) *uint64 {
	p := f.fs.Uint64(name, value, usage)
	f.define(name, arg, "0")
	return p
}

func (f *flags) Float64(name, arg string, value float64, usage string) *float64 {
	p := f.fs.Float64(name, value, usage)
	f.define(name, arg, "0")
	return p
}

func (f *flags) Duration(name, arg string, value time.Duration, usage string) *time.Duration {
	p := f.fs.Duration(name, value, usage)
	f.define(name, arg, "0s")
	return p
}

// env notes the environment variable a flag's default is read from.
func (f *flags) env(name, variable string) {
	f.lookup(name).env = variable
}

// require marks flags that must be given: the help says so, and parse
// refuses arguments without them.
func (f *flags) require(names ...string) {
	for _, name := range names {
		f.lookup(name).required = true
	}
}

// requireOne marks flags of which exactly one must be given.
func (f *flags) requireOne(names ...string) {
	for _, name := range names {
		h := f.lookup(name)
		for _, o := range names {
			if o != name {
				h.instead = append(h.instead, o)
			}
		}
	}
}

func (f *flags) example(lines ...string) {
	f.examples = append(f.examples, lines...)
}

// parse parses a command's arguments. Asked for help, it prints the usage
// on out and returns flag.ErrHelp; given a flag it does not know, it prints
// the usage on errOut and returns the error.
func (f *flags) parse(k *cli, args []string) error {
	f.fs.SetOutput(io.Discard) // the flag package's own usage and errors
	f.fs.Usage = func() {}
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			f.usage(k.out)
		} else {
			f.usage(k.errOut)
		}
		return err
	}
	given := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	for _, h := range f.list {
		if h.required && !given[h.name] {
			return fmt.Errorf("%s is required; run kedja help %s", dash(h.name), f.name)
		}
		if h.instead != nil {
			group := append([]string{h.name}, h.instead...)
			n := 0
			for _, name := range group {
				if given[name] {
					n++
				}
			}
			if n != 1 {
				return fmt.Errorf("give exactly one of %s", strings.Join(dashes(group), " or "))
			}
		}
	}
	return nil
}

// usage prints the command's help: what it does, its usage line, its flags
// with their defaults and whether they are required, and examples.
func (f *flags) usage(w io.Writer) {
	fmt.Fprintf(w, "kedja %s: %s\n\nUsage:\n  %s\n", f.name, f.desc, f.usageLine())
	if len(f.list) > 0 {
		fmt.Fprint(w, "\nFlags:\n")
		var rows [][2]string
		for _, common := range []bool{false, true} {
			for _, h := range f.list {
				if h.common == common {
					rows = append(rows, f.row(h))
				}
			}
		}
		columns(w, rows)
	}
	if len(f.examples) > 0 {
		fmt.Fprint(w, "\nExamples:\n")
		for _, e := range f.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// usageLine is "kedja NAME", the required flags, [flags] for the others,
// and the positional arguments.
func (f *flags) usageLine() string {
	line := []string{"kedja " + f.name}
	optional := false
	done := map[string]bool{}
	for _, h := range f.list {
		switch {
		case done[h.name]:
		case h.required:
			line = append(line, h.spec())
		case h.instead != nil:
			alts := []string{h.spec()}
			for _, name := range h.instead {
				alts = append(alts, f.lookup(name).spec())
				done[name] = true
			}
			line = append(line, strings.Join(alts, "|"))
		default:
			optional = true
		}
	}
	if optional {
		line = append(line, "[flags]")
	}
	if f.args != "" {
		line = append(line, f.args)
	}
	return strings.Join(line, " ")
}

func (f *flags) row(h *flagHelp) [2]string {
	fl := f.fs.Lookup(h.name)
	var notes []string
	if h.env != "" {
		notes = append(notes, "env "+h.env)
	}
	if !h.secret && fl.DefValue != h.zero {
		if h.quote {
			notes = append(notes, fmt.Sprintf("default %q", fl.DefValue))
		} else {
			notes = append(notes, "default "+fl.DefValue)
		}
	}
	text := fl.Usage
	if notes != nil {
		text += " (" + strings.Join(notes, "; ") + ")"
	}
	switch {
	case h.required:
		text += " (required)"
	case h.instead != nil:
		text += " (required unless " + strings.Join(dashes(h.instead), " or ") + " is given)"
	}
	return [2]string{h.spec(), text}
}

// spec is the flag as it is typed: "--controller ID", "-o FILE", "--seed-demo".
func (h *flagHelp) spec() string {
	if h.arg == "" {
		return dash(h.name)
	}
	return dash(h.name) + " " + h.arg
}

// dash writes a flag as the README does: -o, --database-url. (The flag
// package takes one dash or two for either.)
func dash(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

func dashes(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = dash(n)
	}
	return out
}
