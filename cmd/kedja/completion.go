package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sort"
	"strings"
)

func runCompletion(ctx context.Context, k *cli, args []string) error {
	f := newFlags("completion", "Print a shell completion script for bash or zsh: commands, subcommands and each command's flags.")
	f.args = "bash|zsh"
	f.example(`kedja completion bash > ~/.local/share/bash-completion/completions/kedja`,
		`kedja completion zsh > "${fpath[1]}/_kedja"`)
	if err := f.parse(k, args); err != nil {
		return err
	}
	if f.fs.NArg() != 1 || (f.fs.Arg(0) != "bash" && f.fs.Arg(0) != "zsh") {
		return fmt.Errorf("usage: kedja completion bash|zsh")
	}
	words, err := completionWords(ctx)
	if err != nil {
		return err
	}
	if f.fs.Arg(0) == "zsh" {
		// zsh runs bash's completion functions through bashcompinit.
		fmt.Fprint(k.out, "#compdef kedja\nautoload -U +X bashcompinit && bashcompinit\n")
	}
	writeBashCompletion(k.out, words)
	return nil
}

// helpFlag is a flag's line in a command's --help (flags.go writes them).
var helpFlag = regexp.MustCompile(`^  (--[a-z0-9-]+)`)

// completionWords maps each command path ("", "token", "token create") to
// what may follow it: its subcommands, or its flags as its own --help lists
// them, so that the completion and the help never disagree.
func completionWords(ctx context.Context) (map[string][]string, error) {
	words := map[string][]string{}
	var walk func(path string, table []command) error
	walk = func(path string, table []command) error {
		for _, c := range table {
			words[path] = append(words[path], c.name)
			sub := strings.TrimSpace(path + " " + c.name)
			if c.subs != nil {
				if err := walk(sub, c.subs); err != nil {
					return err
				}
				continue
			}
			var help bytes.Buffer
			quiet := &cli{out: &help, errOut: io.Discard, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			_ = c.run(ctx, quiet, []string{"--help"}) // flag.ErrHelp
			for _, line := range strings.Split(help.String(), "\n") {
				if m := helpFlag.FindStringSubmatch(line); m != nil {
					words[sub] = append(words[sub], m[1])
				}
			}
		}
		return nil
	}
	err := walk("", commands)
	return words, err
}

func writeBashCompletion(w io.Writer, words map[string][]string) {
	paths := make([]string, 0, len(words))
	for p := range words {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	fmt.Fprint(w, `# kedja completion for bash (kedja completion bash)
_kedja() {
  local cur="${COMP_WORDS[COMP_CWORD]}" path="" i
  # The command words come first; the first flag ends them.
  for ((i = 1; i < COMP_CWORD; i++)); do
    [[ ${COMP_WORDS[i]} == -* ]] && break
    path="$path ${COMP_WORDS[i]}"
  done
  local words
  case "${path# }" in
`)
	for _, p := range paths {
		fmt.Fprintf(w, "    %q) words=%q ;;\n", p, strings.Join(words[p], " "))
	}
	fmt.Fprint(w, `    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _kedja kedja
`)
}
