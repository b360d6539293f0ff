package ingest_test

import (
	"slices"
	"testing"

	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/receipt"
)

// The blank form's hamlets (xhht template and the portal): Vietnamese
// order with numbers as numbers, and no code the system derived.
func TestFormHamlets(t *testing.T) {
	known := map[string]receipt.Hamlet{}
	for _, n := range []string{"Thôn 10", "Thôn 2", "Đồng Tâm", "Bản Cái", "Thôn 1", "Dốc Đỏ", "Ấp Mới"} {
		known[n] = receipt.Hamlet{Name: n}
	}
	known["Bản Cái"] = receipt.Hamlet{Name: "Bản Cái", Code: ingest.DeriveHamletCode("Bản Cái")}
	known["Dốc Đỏ"] = receipt.Hamlet{Name: "Dốc Đỏ", Code: "T05"}
	var got []string
	for _, h := range ingest.FormHamlets(known) {
		got = append(got, h.Name+"|"+h.Code)
	}
	want := []string{"Ấp Mới|", "Bản Cái|", "Dốc Đỏ|T05", "Đồng Tâm|", "Thôn 1|", "Thôn 2|", "Thôn 10|"}
	if !slices.Equal(got, want) {
		t.Errorf("form hamlets %q, want %q", got, want)
	}
}
