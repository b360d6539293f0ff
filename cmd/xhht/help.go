package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Exit statuses of every command (documented in the help and the README).
const (
	exitOK       = 0 // done; validate: accepted (warnings allowed)
	exitRejected = 1 // validate: the file is rejected; a failed check
	exitUsage    = 2 // the command line is wrong: unknown flag, missing argument, a lake or file that does not exist
	exitRuntime  = 3 // the work failed: a lake that cannot be read, a failed build, a write error
)

// exitHelp is the exit-status paragraph every help page ends with.
const exitHelp = `Mã thoát (exit status): 0 xong (ok); 1 tệp bị từ chối hoặc kiểm tra không đạt (rejected, failed check);
  2 sai cách gọi lệnh (usage: unknown flag, missing argument, no such lake or file);
  3 lỗi khi chạy (runtime failure: a lake that cannot be read, a failed build).
`

// usageError is a mistake in the command line: exit 2, with a pointer to
// the command's --help on stderr.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// helpRequest is -h/--help: the command's help on stdout, exit 0.
type helpRequest struct{ text string }

func (helpRequest) Error() string { return "help requested" }

// Is makes errors.Is(err, flag.ErrHelp) hold for a help request.
func (helpRequest) Is(target error) bool { return target == flag.ErrHelp }

// Help is what `xhht <command> --help` prints. The flag list is not part
// of it: it is written from the command's FlagSet, so the help lists
// exactly the flags the command parses.
type Help struct {
	Usage    string   // "xhht query [--lake DIR] [--format table|csv|json] SQL"
	Summary  string   // what the command does: Vietnamese, then English in brackets
	Details  string   // optional paragraph after the flags (arguments, outputs)
	Examples []string // one or two command lines, each may end with "   # comment"
}

// newCommand returns the FlagSet of a command whose -h and --help print h
// and its flags. Use it with parseFlags:
//
//	fs := newCommand("serve", Help{Usage: "xhht serve [--addr :8080]", Summary: "…", Examples: []string{"xhht serve"}})
//	addr := fs.String("addr", ":8080", "listen address")
//	if err := parseFlags(fs, args); err != nil {
//		return exitUsage, err // run() prints help (exit 0) or the usage error (exit 2)
//	}
func newCommand(name string, h Help) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by run
	fs.Usage = func() { writeHelp(fs.Output(), fs, h) }
	return fs
}

// newFlags is a command without a help text of its own: --help lists its flags.
func newFlags(name string) *flag.FlagSet {
	return newCommand(name, Help{Usage: "xhht " + name + " [flags]"})
}

// parseFlags parses args; -h/--help becomes a helpRequest carrying the
// command's help, a bad flag a usageError.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return helpRequest{helpText(fs)}
	}
	if err != nil {
		return usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	return nil
}

// helpText renders fs.Usage into a string.
func helpText(fs *flag.FlagSet) string {
	var b bytes.Buffer
	old := fs.Output()
	fs.SetOutput(&b)
	fs.Usage()
	fs.SetOutput(old)
	return b.String()
}

// writeHelp writes a command's help page: summary, usage, flags with their
// defaults, details, examples, exit statuses.
func writeHelp(w io.Writer, fs *flag.FlagSet, h Help) {
	if h.Summary != "" {
		fmt.Fprintf(w, "xhht %s — %s\n\n", fs.Name(), h.Summary)
	}
	fmt.Fprintf(w, "Cách dùng (usage):\n  %s\n", h.Usage)
	type row struct{ name, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if len(f.Name) == 1 {
			name = "-" + f.Name // -o, -v
		}
		if arg != "" {
			name += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			usage += fmt.Sprintf(" (mặc định / default %s)", f.DefValue)
		}
		rows = append(rows, row{name, usage})
		width = max(width, utf8.RuneCountInString(name))
	})
	if len(rows) > 0 {
		fmt.Fprintf(w, "\nTham số (flags):\n")
		for _, r := range rows {
			fmt.Fprintf(w, "  %s%s  %s\n", r.name, strings.Repeat(" ", width-utf8.RuneCountInString(r.name)), r.usage)
		}
	}
	if h.Details != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(h.Details, "\n"))
	}
	if len(h.Examples) > 0 {
		fmt.Fprintf(w, "\nVí dụ (examples):\n")
		for _, e := range h.Examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	fmt.Fprintf(w, "\n%s", exitHelp)
}

// finish turns a command's result into its exit status: a help request
// prints the help (0), a usage error (wrapped anywhere down the call)
// points to the command's help (2), any other error is printed with the
// status the command returned, a runtime failure (3) when it returned 0.
func finish(name string, code int, err error, stdout, stderr io.Writer) int {
	var hr helpRequest
	var ue usageError
	switch {
	case err == nil:
		return code
	case errors.As(err, &hr):
		fmt.Fprint(stdout, hr.text)
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "xhht: %v\n", err)
		fmt.Fprintf(stderr, "Xem cách dùng (see usage): xhht %s --help\n", name)
		return exitUsage
	case errors.Is(err, flag.ErrHelp): // a FlagSet not made by newCommand
		fmt.Fprint(stdout, help)
		return exitOK
	}
	fmt.Fprintf(stderr, "xhht: %v\n", err)
	if code == exitOK {
		return exitRuntime
	}
	return code
}
