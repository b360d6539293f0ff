package main

import (
	"context"
	"io"
)

func cmdIngest(ctx context.Context, args []string, stdout io.Writer) (int, error) { return 0, nil }
func cmdRun(ctx context.Context, args []string, stdout io.Writer) (int, error)    { return 0, nil }
