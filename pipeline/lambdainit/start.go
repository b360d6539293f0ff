package lambdainit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Build is what the binary knows of its own build: the main module's
// version ("(devel)" for a build from a checkout), and the VCS revision,
// commit time and dirty flag Go stamps into binaries built in a git tree.
type Build struct {
	Version  string
	Revision string
	Time     string
	Modified bool
}

// ReadBuild reads the build info embedded in the running binary.
func ReadBuild() Build {
	var b Build
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Build{Version: "unknown"}
	}
	b.Version = info.Main.Version
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// Attrs are the build's log attributes.
func (b Build) Attrs() []slog.Attr {
	return []slog.Attr{
		slog.String("version", b.Version), slog.String("vcs_revision", b.Revision),
		slog.String("vcs_time", b.Time), slog.Bool("vcs_modified", b.Modified),
	}
}

// Start is the first call of every function's main. It makes a JSON
// logger on w slog's default, which also routes the standard log package
// through it: aws-lambda-go reports a handler's panic and its own fatal
// errors with log.Printf, and those lines must be JSON like every other
// line CloudWatch Logs Insights reads. Then it logs the function's build,
// so every log stream says which code wrote it.
//
// The functions pass os.Stderr: Lambda sends stdout and stderr to the same
// log stream, and the ingest function's stdout carries exactly one line per
// record of a batch.
func Start(w io.Writer, function string) *slog.Logger {
	log := slog.New(slog.NewJSONHandler(w, nil)).With(slog.String("function", function))
	slog.SetDefault(log)
	log.LogAttrs(context.Background(), slog.LevelInfo, "start", append(ReadBuild().Attrs(), slog.String("phase", "init"))...)
	return log
}

// Guard wraps a handler so that a panic is logged as one JSON line with
// the invocation's request id and stack before it goes on to the runtime
// (which reports it to Lambda and ends the process, as it should: the
// process's state is unknown after a panic).
func Guard[E, R any](log *slog.Logger, h func(context.Context, E) (R, error)) func(context.Context, E) (R, error) {
	return func(ctx context.Context, ev E) (R, error) {
		defer func() {
			if v := recover(); v != nil {
				id := ""
				if lc, ok := lambdacontext.FromContext(ctx); ok {
					id = lc.AwsRequestID
				}
				log.LogAttrs(ctx, slog.LevelError, "handler panicked",
					slog.String("aws_request_id", id), slog.String("error", fmt.Sprint(v)),
					slog.String("stack", string(debug.Stack())))
				panic(v)
			}
		}()
		return h(ctx, ev)
	}
}
