package main

import (
	"context"
	"io"
)

func cmdTemplate(ctx context.Context, args []string, stdout io.Writer) (int, error) { return 0, nil }
