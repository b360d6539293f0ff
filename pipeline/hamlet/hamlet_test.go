package hamlet_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// The blank form's hamlets (xhht template and the portal): Vietnamese
// order with numbers as numbers, and no code the system derived.
func TestFormHamlets(t *testing.T) {
	known := map[string]receipt.Hamlet{}
	for _, n := range []string{"Thôn 10", "Thôn 2", "Đồng Tâm", "Bản Cái", "Thôn 1", "Dốc Đỏ", "Ấp Mới"} {
		known[n] = receipt.Hamlet{Name: n}
	}
	known["Bản Cái"] = receipt.Hamlet{Name: "Bản Cái", Code: hamlet.Derive("Bản Cái")}
	known["Dốc Đỏ"] = receipt.Hamlet{Name: "Dốc Đỏ", Code: "T05"}
	var got []string
	for _, h := range hamlet.FormHamlets(known) {
		got = append(got, h.Name+"|"+h.Code)
	}
	want := []string{"Ấp Mới|", "Bản Cái|", "Dốc Đỏ|T05", "Đồng Tâm|", "Thôn 1|", "Thôn 2|", "Thôn 10|"}
	if !slices.Equal(got, want) {
		t.Errorf("form hamlets %q, want %q", got, want)
	}
}

// A derived code is the name's ASCII slug plus the first 3 bytes of the
// SHA-256 of its name key (written out here, not taken from the code).
func TestDerive(t *testing.T) {
	sum := sha256.Sum256([]byte("thôn hoa2 binh2"))
	want := "thon-hoa-binh-" + hex.EncodeToString(sum[:3])
	for _, n := range []string{"Thôn Hòa Bình", "Thôn Hoà Bình", "thôn  hòa bình"} {
		if got := hamlet.Derive(n); got != want {
			t.Errorf("Derive(%q) = %s, want %s", n, got, want)
		}
		if !hamlet.IsDerived(want, n) {
			t.Errorf("IsDerived(%s, %q) = false", want, n)
		}
	}
	if hamlet.IsDerived(want, "Thôn Hòa Bính") || hamlet.IsDerived("T01", "Thôn Hòa Bình") {
		t.Error("IsDerived true for another name's or the commune's code")
	}
}

func TestHistoryFirstYear(t *testing.T) {
	for _, c := range [][2]int{{2026, 2025}, {2025, 2025}, {2035, 2025}, {2024, 2014}, {2020, 2014}, {2014, 2014}} {
		if got := hamlet.HistoryFirstYear(c[0]); got != c[1] {
			t.Errorf("HistoryFirstYear(%d) = %d, want %d", c[0], got, c[1])
		}
	}
}

// Known: what the blank form is prefilled with, from the accepted receipts.
func TestKnown(t *testing.T) {
	type up struct {
		year    int
		day     int // of November
		status  string
		commune string
		hamlets []receipt.Hamlet
	}
	file := func(code, name string) receipt.Hamlet {
		return receipt.Hamlet{Code: code, Name: name, CodeSource: hamlet.FromFile}
	}
	derived := func(name string) receipt.Hamlet {
		return receipt.Hamlet{Code: hamlet.Derive(name), Name: name, CodeSource: hamlet.FromDerived}
	}
	tests := []struct {
		name   string
		year   int
		before int // day of November 2026
		ups    []up
		want   []string // name|code|source, sorted
	}{
		{"a code the commune wrote once is kept when later uploads have none", 2026, 30, []up{
			{2025, 10, receipt.Accepted, "01864", []receipt.Hamlet{file("T01", "Thôn Hòa Bình"), file("T02", "Thôn Nà Rì")}},
			{2026, 10, receipt.Accepted, "01864", []receipt.Hamlet{derived("Thôn Hoà Bình"), derived("Thôn Nà Rì"), derived("Thôn Mới")}},
		}, []string{"Thôn Hoà Bình|T01|file", "Thôn Mới|" + hamlet.Derive("Thôn Mới") + "|derived", "Thôn Nà Rì|T02|file"}},
		{"the latest code wins", 2026, 30, []up{
			{2026, 10, receipt.Accepted, "01864", []receipt.Hamlet{file("T01", "Thôn A")}},
			{2026, 12, receipt.Accepted, "01864", []receipt.Hamlet{file("X9", "Thôn A")}},
			{2026, 11, receipt.Accepted, "01864", []receipt.Hamlet{file("T05", "Thôn A")}},
		}, []string{"Thôn A|X9|file"}},
		{"a renamed hamlet is listed once, under its latest name", 2026, 30, []up{
			{2025, 10, receipt.Accepted, "01864", []receipt.Hamlet{file("T01", "Thôn 1"), file("T02", "Thôn 2")}},
			{2026, 10, receipt.Accepted, "01864", []receipt.Hamlet{file("T01", "Thôn Một"), file("T02", "Thôn 2")}},
		}, []string{"Thôn 2|T02|file", "Thôn Một|T01|file"}},
		{"pre-2025 codes do not cross the reform", 2026, 30, []up{
			{2024, 10, receipt.Accepted, "01864", []receipt.Hamlet{file("T01", "Thôn A")}},
			{2026, 10, receipt.Accepted, "01864", []receipt.Hamlet{derived("Thôn A")}},
		}, []string{"Thôn A|" + hamlet.Derive("Thôn A") + "|derived"}},
		{"later years, later uploads, rejected uploads and other communes teach nothing", 2025, 30, []up{
			{2026, 10, receipt.Accepted, "01864", []receipt.Hamlet{file("T09", "Thôn A")}},
			{2025, 10, receipt.Rejected, "01864", []receipt.Hamlet{file("T08", "Thôn A")}},
			{2025, 10, receipt.Accepted, "01849", []receipt.Hamlet{file("T07", "Thôn A")}},
			{2025, 30, receipt.Accepted, "01864", []receipt.Hamlet{file("T06", "Thôn A")}},
			{2025, 11, receipt.Accepted, "01864", []receipt.Hamlet{derived("Thôn A")}},
		}, []string{"Thôn A|" + hamlet.Derive("Thôn A") + "|derived"}},
		{"a code ingest took from an earlier upload before issue 14 counts as the commune's", 2026, 30, []up{
			{2026, 10, receipt.Accepted, "01864", []receipt.Hamlet{{Code: "T03", Name: "Thôn A", CodeSource: hamlet.FromKnown}}},
		}, []string{"Thôn A|T03|file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lk := local.New(t.TempDir())
			for i, u := range tt.ups {
				rc := receipt.Receipt{SubmissionID: fmt.Sprintf("s%02d", i), Status: u.status, Year: u.year, ProvinceCode: "19", CommuneCode: u.commune,
					ReceivedAt: time.Date(u.year, 11, u.day, 9, 0, 0, 0, time.UTC), Hamlets: u.hamlets}
				b, err := rc.JSON()
				if err != nil {
					t.Fatal(err)
				}
				key := fmt.Sprintf("receipts/year=%d/province=19/commune=%s/%s.json", u.year, u.commune, rc.SubmissionID)
				if err := lk.Put(context.Background(), key, b, "application/json"); err != nil {
					t.Fatal(err)
				}
			}
			known, err := hamlet.Known(context.Background(), lk, tt.year, "19", "01864", time.Date(tt.year, 11, tt.before, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range known {
				got = append(got, h.Name+"|"+h.Code+"|"+h.CodeSource)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("known %q, want %q", got, tt.want)
			}
		})
	}
}
