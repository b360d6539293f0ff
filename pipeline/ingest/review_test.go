package ingest_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/receipt"
)

// Cases a newcomer review found by hand, kept as tests: each is a file an
// official could really send, and what the receipt must say about it.
func TestReviewFindings(t *testing.T) {
	const h01 = "STT;Tên thôn;Tổng số hộ;Số hộ đăng ký;Số hộ được công nhận\n"
	const h02 = "STT;Mã xã;Tên xã;Tổng số đơn vị;Số đơn vị đăng ký;Số đơn vị được công nhận\n"
	tests := []struct {
		name   string
		csv    string
		status string
		codes  []string          // code/severity in receipt order
		cells  []string          // cell of each issue, in order ("" = none)
		values map[string]string // issue value by cell, as shown to the official
		totals map[string]int64  // for accepted files
		check  func(*testing.T, *receipt.Receipt)
	}{
		{
			name:   "English thousands are never read as decimals",
			csv:    h01 + "1;Thôn A;2,000;1,000;900\n",
			status: receipt.Rejected,
			codes:  []string{"type-error/error", "type-error/error"},
			cells:  []string{"C2", "D2"},
			values: map[string]string{"C2": "2,000", "D2": "1,000"},
		},
		{
			name:   "a percentage in a count column",
			csv:    h01 + "1;Thôn A;100;50%;40\n",
			status: receipt.Rejected,
			codes:  []string{"type-error/error"},
			cells:  []string{"D2"},
		},
		{
			name:   "totals message shows the total as written",
			csv:    h01 + "1;Thôn A;1.200;100;90\n2;Thôn B;80;70;60\n;Tổng cộng;1.290;170;150\n",
			status: receipt.Rejected,
			codes:  []string{"totals-mismatch/error"},
			cells:  []string{"C4"},
			check: func(t *testing.T, rc *receipt.Receipt) {
				i := slices.IndexFunc(rc.Errors, func(is receipt.Issue) bool { return is.Code == receipt.TotalsMismatch })
				if m := rc.Errors[i].Message; !strings.Contains(m, "ghi 1.290") || !strings.Contains(m, "được 1.280") {
					t.Errorf("message %q should quote 1.290 and the sum 1.280", m)
				}
			},
		},
		{
			name:   "a blank required cell is reported with another error on the same row",
			csv:    h01 + "1;Thôn A;;năm mươi;40\n",
			status: receipt.Rejected,
			codes:  []string{"missing-cell/error", "type-error/error"},
			cells:  []string{"C2", "D2"},
		},
		{
			name:   "issues come in reading order",
			csv:    h01 + "1;Thôn A;100;200;40\n2;Thôn B;100;x;40\n3;Thôn A;100;50;40\n",
			status: receipt.Rejected,
			codes:  []string{"constraint-error/error", "type-error/error", "duplicate-key/error"},
			cells:  []string{"D2", "D3", "B4"},
		},
		{
			name:   "Biểu 02: 'Toàn xã' is the commune's row, not a totals row; the code's lost zero is restored",
			csv:    h02 + "1;1864;Toàn xã;12;10;8\n",
			status: receipt.Accepted,
			totals: map[string]int64{"don_vi_tong": 12, "don_vi_dang_ky": 10, "don_vi_dat": 8},
		},
		{
			name:   "Biểu 02: another commune's code",
			csv:    h02 + "1;1849;Xã Phong Quang;12;10;8\n",
			status: receipt.Rejected,
			codes:  []string{"commune-mismatch/error"},
			cells:  []string{"B2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			rc := e.putProcess(t, "2026/19/01864/bao-cao.csv", []byte(tt.csv), e.received)
			if rc.Status != tt.status {
				t.Fatalf("status %s, want %s: %v", rc.Status, tt.status, codes(rc))
			}
			var errs []string
			var cells []string
			for _, is := range rc.Errors {
				if is.Code == "missing-column" {
					continue // optional columns absent from these small files
				}
				errs = append(errs, is.Code+"/"+is.Severity)
				cells = append(cells, is.Cell)
				if want, ok := tt.values[is.Cell]; ok && is.Value != want {
					t.Errorf("%s value %q, want %q", is.Cell, is.Value, want)
				}
			}
			if tt.codes != nil && !reflect.DeepEqual(errs, tt.codes) {
				t.Errorf("issues %v, want %v", errs, tt.codes)
			}
			if tt.cells != nil && !reflect.DeepEqual(cells, tt.cells) {
				t.Errorf("cells %v, want %v", cells, tt.cells)
			}
			if rc.Status == receipt.Rejected && len(rc.Totals) != 0 {
				t.Errorf("a rejected receipt has totals %v; totals are over accepted rows", rc.Totals)
			}
			for code, want := range tt.totals {
				if n := rc.Totals[code]; n == nil || n.Int != want {
					t.Errorf("total %s = %v, want %d", code, n, want)
				}
			}
			if tt.status == receipt.Accepted && !slices.Contains(keys(e.objects(t)), rc.Output) {
				t.Errorf("accepted, but output %q not in the lake", rc.Output)
			}
			if tt.check != nil {
				tt.check(t, rc)
			}
		})
	}
}
