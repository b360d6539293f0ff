package templatetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// Check runs the validator on data uploaded under key at time at, with an
// empty lake, and returns the receipt; an infrastructure error fails t.
func Check(t testing.TB, key string, at time.Time, data []byte) *receipt.Receipt {
	t.Helper()
	p, err := ingest.New(nil, local.New(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ingest.Check(context.Background(), p, ingest.Upload{Bucket: "local", Key: key}, "v1", at, data)
	if err != nil {
		t.Fatal(err)
	}
	return res.Receipt
}

// Issues lists a receipt's problems one per line, for failure messages.
func Issues(rc *receipt.Receipt) string {
	var b strings.Builder
	for _, is := range rc.Errors {
		fmt.Fprintf(&b, "\n  %s %s %s!%s %s", is.Severity, is.Code, is.Sheet, is.Cell, is.Message)
	}
	return b.String()
}

// AssertTotals checks a receipt's totals: exactly the fields of want, each
// with its value (counts compared as numbers).
func AssertTotals(t testing.TB, rc *receipt.Receipt, want map[string]float64) {
	t.Helper()
	if len(rc.Totals) != len(want) {
		t.Errorf("%d totals, want %d: %v", len(rc.Totals), len(want), rc.Totals)
	}
	for code, w := range want {
		n := rc.Totals[code]
		switch {
		case n == nil:
			t.Errorf("total %s missing", code)
		case n.IsInt && float64(n.Int) != w, !n.IsInt && n.Float != w:
			t.Errorf("total %s = %+v, want %v", code, *n, w)
		}
	}
}
