package validate_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/internal/fixture"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/table"
	"github.com/xhht/xhht/pipeline/textnorm"
	"github.com/xhht/xhht/pipeline/validate"
	"github.com/xhht/xhht/pipeline/workbook"
)

var ctx2026 = validate.Context{Year: 2026, CommuneCode: "01864", CommuneName: "Xã Bằng Thành"}

// run opens the bytes, finds the tables and validates each one.
func run(t *testing.T, ctx validate.Context, name string, data []byte) []*validate.Result {
	t.Helper()
	set, err := forms.Load()
	if err != nil {
		t.Fatal(err)
	}
	kw, err := table.LoadKeywords()
	if err != nil {
		t.Fatal(err)
	}
	book, err := workbook.Open(name, data, workbook.DefaultLimits)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	tables, issues, err := table.Find(book, set, kw)
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	if len(issues) != 0 {
		t.Fatalf("Find issues: %+v", issues)
	}
	if len(tables) == 0 {
		t.Fatal("no table found")
	}
	var out []*validate.Result
	for _, tb := range tables {
		out = append(out, validate.Table(tb, ctx))
	}
	return out
}

func runOne(t *testing.T, ctx validate.Context, name string, data []byte) *validate.Result {
	t.Helper()
	res := run(t, ctx, name, data)
	if len(res) != 1 {
		t.Fatalf("%d tables, want 1", len(res))
	}
	return res[0]
}

// iss is the part of an issue a test pins down.
type iss struct{ code, sev, cell, field string }

func (i iss) String() string { return fmt.Sprintf("%s/%s@%s[%s]", i.code, i.sev, i.cell, i.field) }

func short(issues []receipt.Issue) []iss {
	out := []iss{}
	for _, is := range issues {
		out = append(out, iss{is.Code, is.Severity, is.Cell, is.Field})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func sorted(w []iss) []iss {
	out := append([]iss{}, w...)
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func checkMessages(t *testing.T, issues []receipt.Issue) {
	t.Helper()
	for _, is := range issues {
		if strings.TrimSpace(is.Message) == "" || strings.TrimSpace(is.MessageEN) == "" {
			t.Errorf("issue %s has an empty message: %+v", is.Code, is)
		}
		if is.Cell != "" && !strings.Contains(is.Message, is.Cell) && is.Code != receipt.NotApplicable {
			t.Errorf("issue %s at %s: the Vietnamese message does not name the cell: %q", is.Code, is.Cell, is.Message)
		}
		if why := receipt.WordingProblem(is.Message); why != "" {
			t.Errorf("issue %s: the Vietnamese message has %s: %q", is.Code, why, is.Message)
		}
	}
}

// TestMessagesForOfficials: the Vietnamese messages of common mistakes,
// written out by hand as an official should read them.
func TestMessagesForOfficials(t *testing.T) {
	tests := []struct {
		name string
		edit func(rows [][]any)
		want string
	}{
		{"registered > total", func(r [][]any) { r[0][iHoDK] = 130 },
			"Ô D8 (Gia đình học tập): Số hộ đăng ký (130) lớn hơn Tổng số hộ (120)."},
		{"recognised > registered, a warning", func(r [][]any) { r[0][iHoDK] = 90 },
			"Ô E8 (Gia đình học tập): Số hộ được công nhận (100) lớn hơn Số hộ đăng ký (90). Hãy kiểm tra lại. Đây chỉ là cảnh báo."},
		{"clans", func(r [][]any) { r[1][iDHDK] = 6 },
			"Ô G9 (Dòng họ học tập): Số dòng họ đăng ký (6) lớn hơn Tổng số dòng họ (5)."},
		{"recognised without registering", func(r [][]any) { r[1][iCDDK] = "Không"; r[1][iCDDat] = "Có" },
			"Ô J9 (Cộng đồng học tập cấp thôn): Được công nhận ghi Có nhưng Đăng ký ghi Không. Hãy kiểm tra lại. Đây chỉ là cảnh báo."},
		{"text in a count", func(r [][]any) { r[1][iHoTong] = "khoảng 95" },
			`Ô C9 (Gia đình học tập – Tổng số hộ): "khoảng 95" không phải là số. Hãy ghi bằng chữ số, ví dụ 50 hoặc 1.234.`},
		{"invalid yes/no", func(r [][]any) { r[0][iCDDK] = "có lẽ" },
			`Ô I8 (Cộng đồng học tập cấp thôn – Đăng ký): "có lẽ" không hợp lệ. Hãy ghi Có hoặc Không; cũng nhận x và để trống, 1 và 0, Đạt và Chưa đạt.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := fixture.Hamlets01()
			tt.edit(rows)
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, fixture.Form{Rows: rows, NoTotals: true}.Build().G))
			if len(res.Issues) != 1 || res.Issues[0].Message != tt.want {
				t.Fatalf("issues %+v\nwant one with the message\n%s", res.Issues, tt.want)
			}
			checkMessages(t, res.Issues)
		})
	}
	// A missing required column names the column, not its code.
	res := runOne(t, ctx2026, "a.csv", []byte("STT;Tên thôn;Tổng số hộ;Số hộ đăng ký\n1;Thôn Nà Rì;120;100\n"))
	found := false
	for _, is := range res.Issues {
		if is.Code == receipt.MissingColumn && is.Severity == E {
			found = true
			if want := `Thiếu cột bắt buộc "Gia đình học tập – Số hộ được công nhận" trong Biểu 01. Hãy thêm cột này như trong biểu mẫu.`; is.Message != want {
				t.Errorf("missing column: %q\nwant %q", is.Message, want)
			}
		}
	}
	if !found {
		t.Errorf("no missing-column error: %+v", res.Issues)
	}
	checkMessages(t, res.Issues)
}

const (
	E = receipt.SevError
	W = receipt.SevWarning
)

// Hamlet row indexes (columns B…L of the template; rows 8, 9, 10).
const (
	iName = iota
	iHoTong
	iHoDK
	iHoDat
	iDHTong
	iDHDK
	iDHDat
	iCDDK
	iCDDat
	iLD
	iCDan
)

func TestCleanTableHasNoIssues(t *testing.T) {
	for _, tt := range []struct {
		name string
		data func(t *testing.T) []byte
		file string
	}{
		{"xlsx", func(t *testing.T) []byte { return fixture.XLSX(t, fixture.Form{Rows: fixture.Hamlets01()}.Build().G) }, "a.xlsx"},
		{"csv ;", func(t *testing.T) []byte {
			return fixture.CSV(t, fixture.Form{Rows: fixture.Hamlets01()}.Build().G, ';', true)
		}, "a.csv"},
		{"csv ,", func(t *testing.T) []byte {
			return fixture.CSV(t, fixture.Form{Rows: fixture.Hamlets01()}.Build().G, ',', false)
		}, "a.csv"},
		// Excel's "CSV (;)" export pads every line, blank ones included, to
		// the width of the sheet: the blank row above the signature block
		// becomes ";;;;;;;;;;;".
		{"csv ; padded like Excel", func(t *testing.T) []byte {
			return padCSV(fixture.CSV(t, fixture.Form{Rows: fixture.Hamlets01()}.Build().G, ';', true), ';', 12)
		}, "a.csv"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := runOne(t, ctx2026, tt.file, tt.data(t))
			if len(res.Issues) != 0 {
				t.Errorf("issues: %v", short(res.Issues))
			}
			if len(res.Records) != 3 {
				t.Fatalf("%d records, want 3", len(res.Records))
			}
			r := res.Records[1] // row 9: Thôn Khuổi Cái, 95, 90, 80, 5, 5, 4, Có, Không, 170, 100
			want := map[string]validate.Value{
				"ten_thon": {Str: "Thôn Khuổi Cái"}, "ho_tong": {Int: 95}, "ho_dang_ky": {Int: 90}, "ho_dat": {Int: 80},
				"dong_ho_tong": {Int: 5}, "dong_ho_dang_ky": {Int: 5}, "dong_ho_dat": {Int: 4},
				"cong_dong_dang_ky": {Bool: true}, "cong_dong_dat": {Bool: false},
				"lao_dong_tong": {Int: 170}, "cong_dan_dat": {Int: 100}, "ma_thon": {Null: true},
			}
			if r.Row != 9 {
				t.Errorf("record row %d, want 9", r.Row)
			}
			for code, w := range want {
				if got := r.Values[code]; got != w {
					t.Errorf("%s = %+v, want %+v", code, got, w)
				}
			}
		})
	}
}

// TestRowRules: every cell and row rule of Biểu 01, failure path, with
// code, severity and cell.
func TestRowRules(t *testing.T) {
	tests := []struct {
		name string
		edit func(rows [][]any)
		want []iss
	}{
		{"text in a count", func(r [][]any) { r[1][iHoTong] = "khoảng 95" },
			[]iss{{"type-error", E, "C9", "ho_tong"}}},
		{"decimal comma in a count", func(r [][]any) { r[0][iHoDK] = "12,5" },
			[]iss{{"type-error", E, "D8", "ho_dang_ky"}}},
		{"fractional number cell in a count", func(r [][]any) { r[0][iHoDK] = 12.5 },
			[]iss{{"type-error", E, "D8", "ho_dang_ky"}}},
		{"English decimal point text 12.5", func(r [][]any) { r[0][iHoDK] = "12.5" },
			[]iss{{"type-error", E, "D8", "ho_dang_ky"}}},
		{"TRUE cell in a count", func(r [][]any) { r[0][iDHTong] = true },
			[]iss{{"type-error", E, "F8", "dong_ho_tong"}}},
		{"FALSE cell in a count", func(r [][]any) { r[2][iLD] = false },
			[]iss{{"type-error", E, "K10", "lao_dong_tong"}}},
		{"TRUE text in a count", func(r [][]any) { r[2][iLD] = "TRUE" },
			[]iss{{"type-error", E, "K10", "lao_dong_tong"}}},
		{"negative number", func(r [][]any) { r[2][iDHTong] = -3 },
			[]iss{{"constraint-error", E, "F10", "dong_ho_tong"}}},
		{"negative text", func(r [][]any) { r[2][iDHTong] = "-3" },
			[]iss{{"constraint-error", E, "F10", "dong_ho_tong"}}},
		{"implausibly large count", func(r [][]any) { r[2][iLD] = "2.000.000.000" },
			[]iss{{"constraint-error", E, "K10", "lao_dong_tong"}}},
		{"registered > total households", func(r [][]any) { r[0][iHoDK] = 130 },
			[]iss{{"constraint-error", E, "D8", "ho_dang_ky"}}},
		{"recognised > total households", func(r [][]any) { r[0][iHoDK] = nil; r[0][iHoDat] = 125 },
			[]iss{{"constraint-error", E, "E8", "ho_dat"}, {"blank-count", W, "D8", "ho_dang_ky"}}},
		{"recognised > registered households is a warning", func(r [][]any) { r[0][iHoDK] = 90 },
			[]iss{{"constraint-error", W, "E8", "ho_dat"}}},
		{"clans registered > total", func(r [][]any) { r[1][iDHDK] = 6 },
			[]iss{{"constraint-error", E, "G9", "dong_ho_dang_ky"}}},
		{"clans recognised > total", func(r [][]any) { r[1][iDHDK] = nil; r[1][iDHDat] = 6 },
			[]iss{{"constraint-error", E, "H9", "dong_ho_dat"}, {"blank-count", W, "G9", "dong_ho_dang_ky"}}},
		{"clans recognised > registered is a warning", func(r [][]any) { r[1][iDHDK] = 3 },
			[]iss{{"constraint-error", W, "H9", "dong_ho_dat"}}},
		{"community recognised without registering is a warning", func(r [][]any) { r[1][iCDDK] = "Không"; r[1][iCDDat] = "Có" },
			[]iss{{"constraint-error", W, "J9", "cong_dong_dat"}}},
		{"learning citizens > working-age people", func(r [][]any) { r[2][iCDan] = 300 },
			[]iss{{"constraint-error", E, "L10", "cong_dan_dat"}}},
		{"blank hamlet name", func(r [][]any) { r[1][iName] = nil },
			[]iss{{"missing-cell", E, "B9", "ten_thon"}}},
		{"blank total households", func(r [][]any) { r[1][iHoTong] = nil },
			[]iss{{"missing-cell", E, "C9", "ho_tong"}}},
		// Allowed, but the roll-up leaves the hamlet out of the rate: 0 if none.
		{"blank recognised households is a warning", func(r [][]any) { r[1][iHoDat] = nil },
			[]iss{{"blank-count", W, "E9", "ho_dat"}}},
		{"same name after normalisation", func(r [][]any) { r[0][iName] = "Thôn Hòa Bình"; r[2][iName] = "thôn  Hoà Bình" },
			[]iss{{"duplicate-key", E, "B10", "ten_thon"}}},
		{"names differing in a tone are different", func(r [][]any) { r[0][iName] = "Thôn Hoà"; r[2][iName] = "Thôn Hoá" }, nil},
		{"invalid bool", func(r [][]any) { r[0][iCDDK] = "có lẽ" },
			[]iss{{"type-error", E, "I8", "cong_dong_dang_ky"}}},
		{"number 2 in a bool", func(r [][]any) { r[0][iCDDat] = 2 },
			[]iss{{"type-error", E, "J8", "cong_dong_dat"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := fixture.Hamlets01()
			tt.edit(rows)
			data := fixture.XLSX(t, fixture.Form{Rows: rows, NoTotals: true}.Build().G)
			res := runOne(t, ctx2026, "a.xlsx", data)
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
		})
	}
}

func TestBlankRowIsWarnedAndSkipped(t *testing.T) {
	rows := append(fixture.Hamlets01(), []any{}) // STT 4 on row 11, nothing else
	res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, fixture.Form{Rows: rows, NoTotals: true}.Build().G))
	want := []iss{{"blank-row", W, "", ""}}
	if got := short(res.Issues); !reflect.DeepEqual(got, want) {
		t.Errorf("issues = %v, want %v", got, want)
	}
	if len(res.Issues) == 1 && res.Issues[0].Row != 11 {
		t.Errorf("blank-row on row %d, want 11", res.Issues[0].Row)
	}
	if len(res.Records) != 3 {
		t.Errorf("%d records, want 3", len(res.Records))
	}
}

func TestFormulaErrorCell(t *testing.T) {
	data := fixture.XLSX(t, fixture.Form{Rows: fixture.Hamlets01(), NoTotals: true}.Build().G)
	data = setCellXML(t, data, "C9", `<c r="C9" t="e"><f>C8/0</f><v>#DIV/0!</v></c>`)
	res := runOne(t, ctx2026, "a.xlsx", data)
	want := []iss{{"type-error", E, "C9", "ho_tong"}}
	if got := short(res.Issues); !reflect.DeepEqual(got, want) {
		t.Errorf("issues = %v, want %v", got, want)
	}
	if len(res.Issues) == 1 && res.Issues[0].Value != "#DIV/0!" {
		t.Errorf("value %q, want #DIV/0!", res.Issues[0].Value)
	}
}

func TestFormulaCachedValueIsRead(t *testing.T) {
	data := fixture.XLSX(t, fixture.Form{Rows: fixture.Hamlets01()}.Build().G)
	// Totals row 11 written with formulas, as templates do.
	data = setCellXML(t, data, "C11", `<c r="C11"><f>SUM(C8:C10)</f><v>365</v></c>`)
	data = setCellXML(t, data, "D11", `<c r="D11"><f>SUM(D8:D10)</f><v>341</v></c>`)
	res := runOne(t, ctx2026, "a.xlsx", data)
	want := []iss{{"totals-mismatch", E, "D11", "ho_dang_ky"}} // 110+90+140 = 340
	if got := short(res.Issues); !reflect.DeepEqual(got, want) {
		t.Errorf("issues = %v, want %v", got, want)
	}
}

func TestTotals(t *testing.T) {
	// fixture.Hamlets01 sums: C 365, D 340, E 300, F 23, G 22, H 17, I (Có) 2, J (Có) 1, K 640, L 380.
	tests := []struct {
		name string
		top  bool
		edit func(g *fixture.Grid, row int)
		want []iss
	}{
		{"correct totals", false, func(*fixture.Grid, int) {}, nil},
		{"correct totals written as text", false, func(g *fixture.Grid, r int) { g.Put(r, 3, "365"); g.Put(r, 11, "640") }, nil},
		{"count off by one", false, func(g *fixture.Grid, r int) { g.Put(r, 3, 366) }, []iss{{"totals-mismatch", E, "C11", "ho_tong"}}},
		{"count off, totals on top", true, func(g *fixture.Grid, r int) { g.Put(r, 5, 299) }, []iss{{"totals-mismatch", E, "E8", "ho_dat"}}},
		{"bool column counts its yes rows", false, func(g *fixture.Grid, r int) { g.Put(r, 10, 2) }, []iss{{"totals-mismatch", E, "J11", "cong_dong_dat"}}},
		{"text in a totals count is a warning", false, func(g *fixture.Grid, r int) { g.Put(r, 4, "khoảng 340") }, []iss{{"type-error", W, "D11", "ho_dang_ky"}}},
		{"blank totals cell is not checked", false, func(g *fixture.Grid, r int) { g.Put(r, 3, nil) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lay := fixture.Form{Rows: fixture.Hamlets01(), TotalsTop: tt.top}.Build()
			tt.edit(lay.G, lay.TotalsRow)
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, lay.G))
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
			if len(res.Records) != 3 {
				t.Errorf("%d records, want 3 (the totals row is not a hamlet)", len(res.Records))
			}
		})
	}
}

// A title line naming another year or commune is named by its cell (title
// line i is in A<i>): the year's issue carried no cell before.
func TestTitleChecks(t *testing.T) {
	base := fixture.Title01(2026, "01864")
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	line4 := func(l string) []string { return []string{base[0], base[1], base[2], l} }
	tests := []struct {
		name  string
		title []string
		want  []iss
		value string
	}{
		{"year and code agree", base, nil, ""},
		{"NĂM 2025 on a 2026 upload", []string{base[0], base[1], "NĂM 2025", base[3]}, []iss{{"year-mismatch", E, "A3", ""}}, "NĂM 2025"},
		{"year inside a sentence", []string{base[0], "BÁO CÁO KẾT QUẢ NĂM 2027", base[3]}, []iss{{"year-mismatch", E, "A2", ""}}, "BÁO CÁO KẾT QUẢ NĂM 2027"},
		{"signing date in the title block is not the year", with("Bằng Thành, ngày 5 tháng 1 năm 2027"), nil, ""},
		{"signing date with blanks to fill in is not the year", with("Bằng Thành, ngày ... tháng ... năm 2027"), nil, ""},
		{"school year is not a reporting year", with("Năm học 2025-2026"), nil, ""},
		{"another commune's code", line4("Mã xã: 01849"), []iss{{"commune-mismatch", E, "A4", ""}}, "Mã xã: 01849"},
		{"another commune's code, ĐVHC label", line4("Mã ĐVHC 01849"), []iss{{"commune-mismatch", E, "A4", ""}}, "Mã ĐVHC 01849"},
		{"another commune's code, Mã số xã", line4("Mã số xã: 01849"), []iss{{"commune-mismatch", E, "A4", ""}}, "Mã số xã: 01849"},
		{"another commune's code, Mã alone", line4("Mã: 01849"), []iss{{"commune-mismatch", E, "A4", ""}}, "Mã: 01849"},
		{"another commune's code in parentheses", []string{"UBND XÃ BẰNG THÀNH (01849)", base[1], base[2]}, []iss{{"commune-mismatch", E, "A1", ""}}, "UBND XÃ BẰNG THÀNH (01849)"},
		{"another commune's code without its leading zero", line4("Mã xã: 1849"), []iss{{"commune-mismatch", E, "A4", ""}}, "Mã xã: 1849"},
		{"another commune's code in full-width digits", line4("Mã xã: ０１８４９"), []iss{{"commune-mismatch", E, "A4", ""}}, "Mã xã: ０１８４９"},
		// The same forms without the leading zero.
		{"Mã số xã without the zero", line4("Mã số xã: 1849"), []iss{{"commune-mismatch", E, "A4", ""}}, "Mã số xã: 1849"},
		{"Mã alone without the zero", line4("Mã: 1849"), []iss{{"commune-mismatch", E, "A4", ""}}, "Mã: 1849"},
		{"parentheses without the zero", []string{"UBND XÃ BẰNG THÀNH (1849)", base[1], base[2]}, []iss{{"commune-mismatch", E, "A1", ""}}, "UBND XÃ BẰNG THÀNH (1849)"},
		{"parentheses in a cell of their own", []string{base[0], "(1849)", base[1], base[2]}, []iss{{"commune-mismatch", E, "A2", ""}}, "(1849)"},
		{"full-width without the zero", []string{"UBND XÃ BẰNG THÀNH （１８４９）", base[1], base[2]}, []iss{{"commune-mismatch", E, "A1", ""}}, "UBND XÃ BẰNG THÀNH （１８４９）"},
		{"own code in every form", with("Mã số xã: 01864", "Mã: 01864", "(01864)", "Mã xã: 1864", "Mã xã: ０１８６４",
			"Mã số xã: 1864", "Mã: 1864", "(1864)", "Xã Bằng Thành (1864)", "Mã: １８６４"), nil, ""},
		{"hamlet codes, phone and postal numbers, decisions are not commune codes", with("Mã thôn: 01849", "Mã thôn: 1849", "Mã thôn: 01849-003",
			"Điện thoại: (0209) 3870 123", "ĐT: 0209.3870.123", "Mã số thuế: 0101234567", "Mã bưu chính: 24000", "Quyết định số 1849/QĐ-UBND"), nil, ""},
		{"years in parentheses are not commune codes", with("(2026)", "Báo cáo năm (2026)", "Xã Bằng Thành, năm (2026)", "Xã Bằng Thành (Kế hoạch 2026)"), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := fixture.XLSX(t, fixture.Form{Title: tt.title, Rows: fixture.Hamlets01()}.Build().G)
			res := runOne(t, ctx2026, "a.xlsx", data)
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
			if tt.value != "" && len(res.Issues) == 1 && res.Issues[0].Value != tt.value {
				t.Errorf("value %q, want %q", res.Issues[0].Value, tt.value)
			}
		})
	}
}

// "Mã xã:" in one cell and the code in the next, as a number (Excel took
// 01849 for one) or as text: the issue names the code's cell.
func TestTitleCodeInTheNextCell(t *testing.T) {
	tests := []struct {
		name string
		code any
		want []iss
	}{
		{"another commune's code as a number", 1849, []iss{{"commune-mismatch", E, "B4", ""}}},
		{"another commune's code as text", "01849", []iss{{"commune-mismatch", E, "B4", ""}}},
		{"its own code as a number", 1864, nil},
		{"a year is no code", "2026", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lay := fixture.Form{Rows: fixture.Hamlets01()}.Build()
			lay.G.Merges = slices.DeleteFunc(lay.G.Merges, func(m string) bool { return strings.HasPrefix(m, "A4:") })
			lay.G.Put(4, 1, "Mã xã:")
			if tt.name == "a year is no code" {
				lay.G.Put(4, 1, "Năm báo cáo:")
			}
			lay.G.Put(4, 2, tt.code)
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, lay.G))
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
		})
	}
}

// A title block naming another commune by name alone is that commune's
// report, wherever in the country the commune is; a name the upload's own
// commune shares with others ("Tân Phú": six communes) is its own, and a
// hamlet or district of the name, or a longer name, is no commune. The
// names are the 2026 register's.
func TestTitleNamesAnotherCommune(t *testing.T) {
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	names := validate.CommuneNamesOf(reg.ForYear(2026))
	ctx := ctx2026
	ctx.Communes = names
	tanPhu := validate.Context{Year: 2026, CommuneCode: "17272", CommuneName: "Xã Tân Phú", Communes: names} // province 40
	base := fixture.Title01(2026, "01864")
	tests := []struct {
		name  string
		ctx   validate.Context
		title []string
		want  []iss
		named string // the commune the message names
	}{
		{"own name", ctx, base, nil, ""},
		// The title line is named by its cell (title lines are A1, A2, …).
		{"another commune's name", ctx, []string{"UBND XÃ PHONG QUANG", base[1], base[2]}, []iss{{"commune-mismatch", E, "A1", ""}}, "Xã Phong Quang"},
		{"another ward's name in a sentence", ctx, []string{base[1], "Ủy ban nhân dân phường Đức Xuân, tỉnh Thái Nguyên", base[2]}, []iss{{"commune-mismatch", E, "A2", ""}}, "Phường Đức Xuân"},
		{"another province's commune", ctx, []string{"UBND XÃ TÂN PHÚ", base[1], base[2]}, []iss{{"commune-mismatch", E, "A1", ""}}, "Xã Tân Phú"},
		{"another province's ward, a name with a dash", ctx, []string{"UBND PHƯỜNG VĂN MIẾU – QUỐC TỬ GIÁM", base[1], base[2]}, []iss{{"commune-mismatch", E, "A1", ""}}, "Phường Văn Miếu - Quốc Tử Giám"},
		{"another province's commune after a label", ctx, append(base, "Tên xã: Cao Minh"), []iss{{"commune-mismatch", E, "A5", ""}}, "Xã Cao Minh"},
		{"another province's ward, abbreviated", ctx, []string{"UBND P. BA ĐÌNH", base[1], base[2]}, []iss{{"commune-mismatch", E, "A1", ""}}, "Phường Ba Đình"},
		{"a name its own commune shares", tanPhu, []string{"UBND XÃ TÂN PHÚ", base[1], base[2]}, nil, ""},
		{"a name its own commune shares, as a ward", tanPhu, []string{"UBND PHƯỜNG TÂN PHÚ", base[1], base[2]}, nil, ""},
		{"a hamlet of that name", ctx, append(base, "Thôn Phong Quang", "Thôn Tân Phú"), nil, ""},
		{"a town of that name", ctx, append(base, "Thị xã Sơn Tây"), nil, ""},
		{"a longer name", ctx, []string{"UBND XÃ PHONG QUANG NAM", base[1], base[2], base[3]}, nil, ""},
		{"the motto and the form's title", ctx, append(base, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP CẤP XÃ NĂM 2026", "(Dùng cho xã, phường, đặc khu)"), nil, ""},
		{"code and name both wrong: one issue", ctx, []string{"UBND XÃ PHONG QUANG (01849)", base[1], base[2]}, []iss{{"commune-mismatch", E, "A1", ""}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := fixture.XLSX(t, fixture.Form{Title: tt.title, Rows: fixture.Hamlets01()}.Build().G)
			res := runOne(t, tt.ctx, "a.xlsx", data)
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
			for _, is := range res.Issues {
				if !strings.Contains(is.Message, tt.ctx.CommuneName+", mã "+tt.ctx.CommuneCode) {
					t.Errorf("message %q should name the upload's commune", is.Message)
				}
				if !strings.Contains(is.Message, "tiêu đề ghi "+tt.named) {
					t.Errorf("message %q should name %s", is.Message, tt.named)
				}
			}
		})
	}
}

func TestTableShapeRules(t *testing.T) {
	without := func(letters ...string) []fixture.Col {
		var out []fixture.Col
		for i, c := range fixture.Cols01 {
			keep := true
			for _, l := range letters {
				if fixture.ColName(i+1) == l {
					keep = false
				}
			}
			if keep {
				out = append(out, c)
			}
		}
		return out
	}
	drop := func(rows [][]any, idx ...int) [][]any {
		var out [][]any
		for _, r := range rows {
			var nr []any
			for i, v := range r {
				skip := false
				for _, d := range idx {
					if i == d {
						skip = true
					}
				}
				if !skip {
					nr = append(nr, v)
				}
			}
			out = append(out, nr)
		}
		return out
	}
	tests := []struct {
		name string
		fm   fixture.Form
		want []iss
		row  int // Row of the first issue, when set
	}{
		{"empty table with a totals row", fixture.Form{Rows: nil}, []iss{{"empty-table", E, "", ""}}, 0},
		{"required column absent", fixture.Form{Cols: without("E"), Rows: drop(fixture.Hamlets01(), iHoDat), NoTotals: true},
			[]iss{{"missing-column", E, "", "ho_dat"}}, 6},
		{"optional columns absent", fixture.Form{Cols: without("F", "G", "H"), Rows: drop(fixture.Hamlets01(), iDHTong, iDHDK, iDHDat), NoTotals: true},
			[]iss{{"missing-column", W, "", "dong_ho_tong"}, {"missing-column", W, "", "dong_ho_dang_ky"}, {"missing-column", W, "", "dong_ho_dat"}}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, tt.fm.Build().G))
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
			if tt.row != 0 && len(res.Issues) > 0 && res.Issues[0].Row != tt.row {
				t.Errorf("issue row %d, want %d", res.Issues[0].Row, tt.row)
			}
		})
	}
}

func TestMissingOptionalColumnIsNull(t *testing.T) {
	var cols []fixture.Col
	for i, c := range fixture.Cols01 {
		if i < 5 { // STT, name, GĐHT ×3
			cols = append(cols, c)
		}
	}
	var rows [][]any
	for _, h := range fixture.Hamlets01() {
		rows = append(rows, h[:4])
	}
	res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, fixture.Form{Cols: cols, Rows: rows}.Build().G))
	if len(res.Records) != 3 {
		t.Fatalf("%d records", len(res.Records))
	}
	for _, code := range []string{"dong_ho_tong", "cong_dong_dat", "cong_dan_dat"} {
		if v := res.Records[0].Values[code]; !v.Null {
			t.Errorf("%s = %+v, want null (column absent)", code, v)
		}
	}
	n := 0
	for _, is := range res.Issues {
		if is.Code == "missing-column" && is.Severity == W {
			n++
		}
	}
	if n != 7 { // dong_ho ×3, cong_dong ×2, lao_dong_tong, cong_dan_dat
		t.Errorf("%d missing-column warnings, want 7: %v", n, short(res.Issues))
	}
}

func TestDuplicateHamletCode(t *testing.T) {
	cols := append([]fixture.Col{{Head: "STT"}, {Head: "Mã thôn"}}, fixture.Cols01[1:]...)
	var rows [][]any
	for i, h := range fixture.Hamlets01() {
		rows = append(rows, append([]any{fmt.Sprintf("T%02d", i+1)}, h...))
	}
	rows[2][0] = "T01"
	res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, fixture.Form{Cols: cols, Rows: rows, NoTotals: true}.Build().G))
	want := []iss{{"duplicate-key", E, "B10", "ma_thon"}}
	if got := short(res.Issues); !reflect.DeepEqual(got, want) {
		t.Errorf("issues = %v, want %v", got, want)
	}
	if v := res.Records[0].Values["ma_thon"]; v != (validate.Value{Str: "T01"}) {
		t.Errorf("ma_thon = %+v", v)
	}
}

func TestCountValues(t *testing.T) {
	tests := []struct {
		name string
		cell any
		want validate.Value
	}{
		{"Vietnamese thousands 1.234", "1.234", validate.Value{Int: 1234}},
		{"thousands with a space", "1 234", validate.Value{Int: 1234}},
		{"two groups", "1.234.567", validate.Value{Int: 1234567}},
		{"number cell", 1234, validate.Value{Int: 1234}},
		{"whole number with a decimal comma", "12,0", validate.Value{Int: 12}},
		{"text zero", "0", validate.Value{Int: 0}},
		{"number zero", 0, validate.Value{Int: 0}},
		{"blank", nil, validate.Value{Null: true}},
		{"spaces only", "   ", validate.Value{Null: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := fixture.Hamlets01()
			rows[0][iLD] = tt.cell // K8, lao_dong_tong; cong_dan_dat 0 so no rule fires
			rows[0][iCDan] = 0
			if tt.want.Null {
				rows[0][iCDan] = nil // the whole model blank: no blank-count warning
			}
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, fixture.Form{Rows: rows, NoTotals: true}.Build().G))
			if len(res.Issues) != 0 {
				t.Errorf("issues: %v", short(res.Issues))
			}
			if got := res.Records[0].Values["lao_dong_tong"]; got != tt.want {
				t.Errorf("lao_dong_tong = %+v, want %+v", got, tt.want)
			}
			if got := res.Records[0].Values["cong_dan_dat"]; got.Null != tt.want.Null {
				t.Errorf("cong_dan_dat = %+v, want null %v", got, tt.want.Null)
			}
		})
	}
}

func TestBoolValues(t *testing.T) {
	yes, no, null := validate.Value{Bool: true}, validate.Value{Bool: false}, validate.Value{Null: true}
	tests := []struct {
		name      string
		dk, dat   any // I8, J8
		dk9, dat9 any // I9, J9
		want      [2]validate.Value
		wantBad   string // cell with a type-error
	}{
		{"Có / Không", "Có", "Không", "Có", "Không", [2]validate.Value{yes, no}, ""},
		{"lower and upper case", "có", "KHÔNG", "Có", "Không", [2]validate.Value{yes, no}, ""},
		{"x / blank in an x column", "x", nil, "x", "x", [2]validate.Value{yes, no}, ""},
		{"X upper case marks an x column", "X", nil, "x", "X", [2]validate.Value{yes, no}, ""},
		{"blank in a Có/Không column is null", nil, nil, "Có", "Không", [2]validate.Value{null, null}, ""},
		{"1 / 0 numbers", 1, 0, 1, 0, [2]validate.Value{yes, no}, ""},
		{"1 / 0 text", "1", "0", "1", "0", [2]validate.Value{yes, no}, ""},
		{"Đạt / Chưa đạt", "Đạt", "Chưa đạt", "Đạt", "Chưa đạt", [2]validate.Value{yes, no}, ""},
		{"TRUE / FALSE cells", true, false, true, false, [2]validate.Value{yes, no}, ""},
		{"có lẽ is not a bool", "có lẽ", "Không", "Có", "Không", [2]validate.Value{null, no}, "I8"},
		{"Có? is not a bool", "Có", "chắc có", "Có", "Không", [2]validate.Value{yes, null}, "J8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := fixture.Hamlets01()
			rows[0][iCDDK], rows[0][iCDDat] = tt.dk, tt.dat
			rows[1][iCDDK], rows[1][iCDDat] = tt.dk9, tt.dat9
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, fixture.Form{Rows: rows, NoTotals: true}.Build().G))
			var want []iss
			if tt.wantBad != "" {
				field := "cong_dong_dang_ky"
				if tt.wantBad[0] == 'J' {
					field = "cong_dong_dat"
				}
				want = []iss{{"type-error", E, tt.wantBad, field}}
			}
			if got, w := short(res.Issues), sorted(want); !reflect.DeepEqual(got, w) {
				t.Errorf("issues = %v, want %v", got, w)
			}
			r := res.Records[0].Values
			if got := [2]validate.Value{r["cong_dong_dang_ky"], r["cong_dong_dat"]}; got != tt.want {
				t.Errorf("row 8 = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// CSV cells are all text: the same rules apply to their spelling.
func TestCSVValues(t *testing.T) {
	rows := fixture.Hamlets01()
	rows[0][iHoTong] = "1.234"
	rows[0][iHoDK] = ""
	rows[0][iHoDat] = "0"
	rows[1][iCDDK], rows[1][iCDDat] = "x", ""
	rows[0][iCDDK], rows[0][iCDDat] = "x", "x"
	rows[2][iCDDK], rows[2][iCDDat] = "", ""
	for _, sep := range []rune{',', ';', '\t'} {
		t.Run(string(sep), func(t *testing.T) {
			data := fixture.CSV(t, fixture.Form{Rows: rows, NoTotals: true}.Build().G, sep, sep == ';')
			res := runOne(t, ctx2026, "a.csv", data)
			// D8 is blank while C8 and E8 are filled: read as blank, with a warning.
			if got, want := short(res.Issues), []iss{{"blank-count", W, "D8", "ho_dang_ky"}}; !reflect.DeepEqual(got, want) {
				t.Errorf("issues: %v, want %v", got, want)
			}
			v := func(i int, code string) validate.Value { return res.Records[i].Values[code] }
			checks := []struct {
				got, want validate.Value
				what      string
			}{
				{v(0, "ho_tong"), validate.Value{Int: 1234}, "C8 1.234"},
				{v(0, "ho_dang_ky"), validate.Value{Null: true}, "D8 blank"},
				{v(0, "ho_dat"), validate.Value{Int: 0}, "E8 0"},
				{v(1, "cong_dong_dat"), validate.Value{Bool: false}, "J9 blank in x column"},
				{v(2, "cong_dong_dang_ky"), validate.Value{Bool: false}, "I10 blank in x column"},
				{v(0, "cong_dong_dat"), validate.Value{Bool: true}, "J8 x"},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %+v, want %+v", c.what, c.got, c.want)
				}
			}
		})
	}
}

// Biểu 02 (one row per commune).

func form02(year int, cols []fixture.Col, rows ...[]any) fixture.Form {
	return fixture.Form{Sheet: "Biểu 02", Cols: cols, Rows: rows, NoTotals: true,
		Title: []string{"BIỂU 02: KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP CẤP XÃ", fmt.Sprintf("NĂM %d", year)}}
}

// cols02TT44 is Biểu 02 up to 2023: a score instead of the TT 25 result.
func cols02TT44() []fixture.Col {
	out := append([]fixture.Col{}, fixture.Cols02...)
	out[7] = fixture.Col{Group: fixture.GroupXa, Head: "Điểm đánh giá (TT 44/2014)"}
	return out
}

func TestBieu02(t *testing.T) {
	ctx2023 := validate.Context{Year: 2023, CommuneCode: "01864", CommuneName: "Xã Bộc Bố"}
	// fixture.Row02 indexes: 0 ten_xa, 1 don_vi_tong, 2 don_vi_dang_ky, 3 don_vi_dat,
	// 4 can_bo_tong, 5 can_bo_cong_dan_dat, 6 cong_dong_xa_ket_qua (or the
	// score), 7 tthtcd_xep_loai, 8 so_lop, 9 luot, 10 cntt, 11 hoi_vien_tong,
	// 12 hoi_vien_tap_huan.
	with := func(kv ...any) []any {
		r := fixture.Row02()
		for i := 0; i < len(kv); i += 2 {
			r[kv[i].(int)] = kv[i+1]
		}
		return r
	}
	tests := []struct {
		name    string
		ctx     validate.Context
		fm      fixture.Form
		want    []iss
		wantRow int // Row of the first issue
		values  map[string]validate.Value
	}{
		{"clean", ctx2026, form02(2026, fixture.Cols02, fixture.Row02()), nil, 0, map[string]validate.Value{
			"ten_xa": {Str: "Xã Bằng Thành"}, "don_vi_tong": {Int: 20}, "cong_dong_xa_ket_qua": {Str: "Mức độ 1"},
			"tthtcd_xep_loai": {Str: "Khá"}, "tthtcd_ung_dung_cntt": {Bool: true}, "hoi_vien_tap_huan": {Int: 300},
			"cong_dong_xa_diem": {Null: true}, "cong_dong_xa_xep_loai": {Null: true},
		}},
		{"enum spelling variants", ctx2026, form02(2026, fixture.Cols02, with(6, "MĐ2")), nil, 0, map[string]validate.Value{
			"cong_dong_xa_ket_qua": {Str: "Mức độ 2"}}},
		{"enum alias Xuất sắc", ctx2026, form02(2026, fixture.Cols02, with(7, "Xuất sắc")), nil, 0, map[string]validate.Value{
			"tthtcd_xep_loai": {Str: "Tốt"}}},
		{"value not in the list", ctx2026, form02(2026, fixture.Cols02, with(6, "Mức độ 3")),
			[]iss{{"constraint-error", E, "H6", "cong_dong_xa_ket_qua"}}, 6, nil},
		{"units recognised > total", ctx2026, form02(2026, fixture.Cols02, with(2, nil, 3, 21)),
			[]iss{{"constraint-error", E, "E6", "don_vi_dat"}}, 6, nil},
		{"members trained > members", ctx2026, form02(2026, fixture.Cols02, with(12, 900)),
			[]iss{{"constraint-error", E, "N6", "hoi_vien_tap_huan"}}, 6, nil},
		{"blank total units", ctx2026, form02(2026, fixture.Cols02, with(1, nil)),
			[]iss{{"missing-cell", E, "C6", "don_vi_tong"}}, 6, nil},
		{"two rows", ctx2026, form02(2026, fixture.Cols02, fixture.Row02(), with(0, "Xã Phong Quang")),
			[]iss{{"too-many-rows", E, "", ""}}, 7, nil},
		{"TT 44 score column on a 2026 file", ctx2026, form02(2026, append(append([]fixture.Col{}, fixture.Cols02...), fixture.Col{Group: fixture.GroupXa, Head: "Điểm đánh giá (TT 44/2014)"}), append(fixture.Row02(), 85)),
			[]iss{{"field-not-applicable", W, "O4", "cong_dong_xa_diem"}}, 4, map[string]validate.Value{
				"cong_dong_xa_diem": {Null: true}, "cong_dong_xa_xep_loai": {Null: true}}},
		{"TT 25 result column on a 2023 file", ctx2023, form02(2023, fixture.Cols02, fixture.Row02()),
			[]iss{{"field-not-applicable", W, "H4", "cong_dong_xa_ket_qua"}, {"missing-column", W, "", "cong_dong_xa_diem"}}, 0, map[string]validate.Value{
				"cong_dong_xa_ket_qua": {Null: true}}},
		{"2023 score 85 → Tốt", ctx2023, form02(2023, cols02TT44(), with(6, 85)), nil, 0, map[string]validate.Value{
			"cong_dong_xa_diem": {Float: 85}, "cong_dong_xa_xep_loai": {Str: "Tốt"}}},
		{"2023 score 69,5 → Trung bình", ctx2023, form02(2023, cols02TT44(), with(6, "69,5")), nil, 0, map[string]validate.Value{
			"cong_dong_xa_diem": {Float: 69.5}, "cong_dong_xa_xep_loai": {Str: "Trung bình"}}},
		{"2023 score 70 → Khá", ctx2023, form02(2023, cols02TT44(), with(6, 70.0)), nil, 0, map[string]validate.Value{
			"cong_dong_xa_xep_loai": {Str: "Khá"}}},
		{"2023 score 49,9 → Chưa đạt", ctx2023, form02(2023, cols02TT44(), with(6, "49,9")), nil, 0, map[string]validate.Value{
			"cong_dong_xa_xep_loai": {Str: "Chưa đạt"}}},
		{"2023 score 84,99 → Khá", ctx2023, form02(2023, cols02TT44(), with(6, "84,99")), nil, 0, map[string]validate.Value{
			"cong_dong_xa_xep_loai": {Str: "Khá"}}},
		{"2023 score blank → no grade", ctx2023, form02(2023, cols02TT44(), with(6, nil)), nil, 0, map[string]validate.Value{
			"cong_dong_xa_diem": {Null: true}, "cong_dong_xa_xep_loai": {Null: true}}},
		{"2023 score above 100", ctx2023, form02(2023, cols02TT44(), with(6, 105)),
			[]iss{{"constraint-error", E, "H6", "cong_dong_xa_diem"}}, 6, map[string]validate.Value{
				"cong_dong_xa_xep_loai": {Null: true}}},
		{"2023 score in words", ctx2023, form02(2023, cols02TT44(), with(6, "tám mươi")),
			[]iss{{"type-error", E, "H6", "cong_dong_xa_diem"}}, 6, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runOne(t, tt.ctx, "a.xlsx", fixture.XLSX(t, tt.fm.Build().G))
			if res.Form.Code != "bieu02" {
				t.Fatalf("form %s", res.Form.Code)
			}
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
			if tt.wantRow != 0 && len(res.Issues) > 0 && res.Issues[0].Row != tt.wantRow {
				t.Errorf("issue row %d, want %d", res.Issues[0].Row, tt.wantRow)
			}
			if len(res.Records) == 0 {
				t.Fatal("no record")
			}
			for code, w := range tt.values {
				if got := res.Records[0].Values[code]; got != w {
					t.Errorf("%s = %+v, want %+v", code, got, w)
				}
			}
		})
	}
}

func TestBieu02CommuneCodeColumn(t *testing.T) {
	cols := append([]fixture.Col{{Head: "STT"}, {Head: "Mã xã"}}, fixture.Cols02[1:]...)
	tests := []struct {
		code string
		want []iss
	}{
		{"01864", nil},
		{"01849", []iss{{"commune-mismatch", E, "B6", "ma_xa"}}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, form02(2026, cols, append([]any{tt.code}, fixture.Row02()...)).Build().G))
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
		})
	}
}

// setCellXML replaces one cell element of sheet1 with raw XML.
func setCellXML(t *testing.T, data []byte, ref, cellXML string) []byte {
	t.Helper()
	re := regexp.MustCompile(`<c r="` + ref + `"[^>]*?(/>|>.*?</c>)`)
	return rewritePart(t, data, "xl/worksheets/sheet1.xml", func(s string) string {
		if !re.MatchString(s) {
			t.Fatalf("no cell %s in the sheet", ref)
		}
		return re.ReplaceAllLiteralString(s, cellXML)
	})
}

// rewritePart returns the zip with one part's text changed.
func rewritePart(t *testing.T, data []byte, name string, edit func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			b = []byte(edit(string(b)))
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// A formula saved without its calculated result reads as blank, with a
// warning at the cell; a required cell then also gets missing-cell.
func TestFormulaWithoutCachedValue(t *testing.T) {
	tests := []struct {
		name string
		ref  string
		xml  string
		want []iss
		code string
	}{
		{"optional count", "D9", `<c r="D9"><f>C9-5</f></c>`,
			[]iss{{"formula-no-value", W, "D9", "ho_dang_ky"}}, "ho_dang_ky"},
		{"required count", "C9", `<c r="C9"><f>SUM(D9:E9)</f><v></v></c>`,
			[]iss{{"formula-no-value", W, "C9", "ho_tong"}, {"missing-cell", E, "C9", "ho_tong"}}, "ho_tong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := fixture.XLSX(t, fixture.Form{Rows: fixture.Hamlets01(), NoTotals: true}.Build().G)
			data = setCellXML(t, data, tt.ref, tt.xml)
			res := runOne(t, ctx2026, "a.xlsx", data)
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
			if v := res.Records[1].Values[tt.code]; !v.Null {
				t.Errorf("%s = %+v, want null", tt.code, v)
			}
		})
	}
}

// Biểu 02 may be sent later: an empty one is a warning, an empty Biểu 01
// an error.
func TestEmptyTables(t *testing.T) {
	prefilled := make([]any, len(fixture.Cols02)-1)
	prefilled[0] = "Xã Bằng Thành" // the template's name cell, nothing else
	tests := []struct {
		name    string
		fm      fixture.Form
		want    []iss
		records int
	}{
		{"empty Biểu 01", fixture.Form{NoTotals: true}, []iss{{"empty-table", E, "", ""}}, 0},
		{"empty Biểu 02", form02(2026, fixture.Cols02), []iss{{"empty-table", W, "", ""}}, 0},
		// The template's prefilled row is not a stray blank row: no blank-row warning.
		{"Biểu 02 with only the commune name", form02(2026, fixture.Cols02, prefilled), []iss{{"empty-table", W, "", ""}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, tt.fm.Build().G))
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
			if len(res.Records) != tt.records {
				t.Errorf("%d records, want %d", len(res.Records), tt.records)
			}
		})
	}
}

// padCSV pads every line to n fields, as Excel writes a sheet as CSV.
// Fields must not contain quotes or line breaks.
func padCSV(data []byte, sep rune, n int) []byte {
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i, l := range lines {
		if c := strings.Count(l, string(sep)); c < n-1 {
			lines[i] = l + strings.Repeat(string(sep), n-1-c)
		}
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// TestTotalsCause: when the totals row's value is what Excel's SUM (or a
// COUNTIF for "Có") gives, and the difference is exactly the cells it
// skips (numbers stored as text, "yes" written otherwise), the error names
// those cells and says why. The sums are worked by hand from
// fixture.Hamlets01: C 120+95+150 = 365, I Có Có Không.
func TestTotalsCause(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(g *fixture.Grid, tot int)
		cell  string
		has   []string // in the Vietnamese message
		hasEN []string
		not   []string
	}{
		{"a trailing space", func(g *fixture.Grid, tot int) { g.Put(9, 3, "95 "); g.Put(tot, 3, 270) }, "C11",
			[]string{"C11", "ghi 270 nhưng cộng các thôn được 365", "Chênh lệch 95", `ô C9 ghi "95 "`, "dấu cách", "SUM"},
			[]string{"C9", "SUM", "270", "365"}, []string{"ho_tong"}},
		{"a thousands dot typed as text", func(g *fixture.Grid, tot int) { g.Put(8, 3, "1.120"); g.Put(tot, 3, 245) }, "C11",
			[]string{"ghi 245 nhưng cộng các thôn được 1.365", "Chênh lệch 1.120", `ô C8 ghi "1.120"`, "dấu chấm"},
			[]string{"C8"}, nil},
		{"two text cells", func(g *fixture.Grid, tot int) { g.Put(8, 3, "120 "); g.Put(9, 3, "95 "); g.Put(tot, 3, 150) }, "C11",
			[]string{"Chênh lệch 215", "ô C8", "ô C9", "Các ô này"}, []string{"C8", "C9"}, nil},
		{"x among Có is not counted", func(g *fixture.Grid, tot int) { g.Put(9, 9, "x"); g.Put(tot, 9, 1) }, "I11",
			[]string{"ghi 1 nhưng đếm được 2 thôn ghi Có", `ô I9 ghi "x"`, "COUNTIF", `thống nhất "Có"`},
			[]string{"I9", "COUNTIF"}, []string{"cộng được"}},
		{"a difference the text cells do not explain", func(g *fixture.Grid, tot int) { g.Put(9, 3, "95 "); g.Put(tot, 3, 300) }, "C11",
			[]string{"ghi 300 nhưng cộng các thôn được 365", "Hãy kiểm tra lại phép cộng"}, nil, []string{"C9", "SUM"}},
		{"a Có/Không total simply wrong", func(g *fixture.Grid, tot int) { g.Put(tot, 10, 3) }, "J11",
			[]string{"ghi 3 nhưng đếm được 1 thôn ghi Có"}, nil, []string{"cộng được", "COUNTIF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lay := fixture.Form{Rows: fixture.Hamlets01()}.Build()
			tt.edit(lay.G, lay.TotalsRow)
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, lay.G))
			var got *receipt.Issue
			for i, is := range res.Issues {
				if is.Code == receipt.TotalsMismatch {
					if got != nil {
						t.Fatalf("two totals-mismatch issues: %+v", res.Issues)
					}
					got = &res.Issues[i]
				}
			}
			if got == nil || got.Cell != tt.cell || len(res.Issues) != 1 {
				t.Fatalf("issues %+v, want one totals-mismatch at %s", res.Issues, tt.cell)
			}
			for _, s := range tt.has {
				if !strings.Contains(got.Message, s) {
					t.Errorf("message lacks %q:\n%s", s, got.Message)
				}
			}
			for _, s := range tt.hasEN {
				if !strings.Contains(got.MessageEN, s) {
					t.Errorf("message_en lacks %q:\n%s", s, got.MessageEN)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(got.Message, s) {
					t.Errorf("message has %q:\n%s", s, got.Message)
				}
			}
		})
	}
}

// TestTotalsCauseNoCo: every yes written "x" under a COUNTIF(…;"Có") total
// that found none (a formula cell whose result is 0): all three cells are
// named. Typed by hand, the same 0 is a plain mismatch.
func TestTotalsCauseNoCo(t *testing.T) {
	for _, formula := range []bool{true, false} {
		rows := fixture.Hamlets01()
		for _, r := range rows {
			r[iCDDK] = "x"
		}
		lay := fixture.Form{Rows: rows}.Build()
		lay.G.Put(lay.TotalsRow, 9, 0)
		data := fixture.XLSX(t, lay.G)
		if formula {
			data = setCellXML(t, data, "I11", `<c r="I11"><f>COUNTIF(I8:I10,"Có")</f><v>0</v></c>`)
		}
		res := runOne(t, ctx2026, "a.xlsx", data)
		if len(res.Issues) != 1 || res.Issues[0].Cell != "I11" {
			t.Fatalf("formula %v: issues %+v, want one at I11", formula, res.Issues)
		}
		m := res.Issues[0].Message
		named := strings.Contains(m, `ô I8 ghi "x"; ô I9 ghi "x"; ô I10 ghi "x"`) && strings.Contains(m, `thống nhất "Có"`)
		if !strings.Contains(m, "ghi 0 nhưng đếm được 3 thôn ghi Có") || named != formula {
			t.Errorf("formula %v: %s", formula, m)
		}
	}
}

// A count left blank in a hamlet row whose other counts of the same model
// are filled is a warning naming the cell and asking for a 0; a model
// left blank as a whole is the hamlet not reporting it, and says nothing.
func TestBlankCountInAFilledModel(t *testing.T) {
	tests := []struct {
		name string
		edit func(rows [][]any)
		want []iss
	}{
		{"recognised households blank", func(r [][]any) { r[1][iHoDat] = nil },
			[]iss{{"blank-count", W, "E9", "ho_dat"}}},
		{"registered households blank", func(r [][]any) { r[2][iHoDK] = nil },
			[]iss{{"blank-count", W, "D10", "ho_dang_ky"}}},
		{"total clans blank, recognised filled", func(r [][]any) { r[0][iDHTong] = nil },
			[]iss{{"blank-count", W, "F8", "dong_ho_tong"}}},
		{"working-age people blank, citizens filled", func(r [][]any) { r[1][iLD] = nil },
			[]iss{{"blank-count", W, "K9", "lao_dong_tong"}}},
		{"citizens blank", func(r [][]any) { r[1][iCDan] = nil },
			[]iss{{"blank-count", W, "L9", "cong_dan_dat"}}},
		{"two cells of one row", func(r [][]any) { r[0][iDHDK], r[0][iDHDat] = nil, nil },
			[]iss{{"blank-count", W, "G8", "dong_ho_dang_ky"}, {"blank-count", W, "H8", "dong_ho_dat"}}},
		{"a zero is not blank", func(r [][]any) { r[1][iHoDat], r[1][iDHDat] = 0, "0" }, nil},
		{"the whole clans model blank", func(r [][]any) { r[1][iDHTong], r[1][iDHDK], r[1][iDHDat] = nil, nil, nil }, nil},
		{"the whole citizens model blank", func(r [][]any) { r[2][iLD], r[2][iCDan] = nil, nil }, nil},
		{"the whole citizens model blank everywhere", func(r [][]any) {
			for i := range r {
				r[i][iLD], r[i][iCDan] = nil, nil
			}
		}, nil},
		// A column left blank in every hamlet: one warning for the column.
		{"a column blank in every hamlet", func(r [][]any) {
			for i := range r {
				r[i][iHoDK] = nil
			}
		}, []iss{{"blank-count", W, "D8", "ho_dang_ky"}}},
		// Có/Không columns are not counts.
		{"a Có/Không cell blank", func(r [][]any) { r[0][iCDDat] = nil }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := fixture.Hamlets01()
			tt.edit(rows)
			res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, fixture.Form{Rows: rows, NoTotals: true}.Build().G))
			if got, want := short(res.Issues), sorted(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("issues = %v\nwant     %v", got, want)
			}
			checkMessages(t, res.Issues)
			for _, is := range res.Issues {
				if !strings.Contains(is.Message, "ghi 0") {
					t.Errorf("%s: the message does not say to write 0: %q", is.Cell, is.Message)
				}
				if strings.Contains(is.Message, is.Field) || strings.Contains(is.Message, "{") {
					t.Errorf("%s: a field code or tag in the Vietnamese text: %q", is.Cell, is.Message)
				}
			}
		})
	}
	// The column warning names the cells it covers.
	rows := fixture.Hamlets01()
	for i := range rows {
		rows[i][iHoDK] = nil
	}
	res := runOne(t, ctx2026, "a.xlsx", fixture.XLSX(t, fixture.Form{Rows: rows, NoTotals: true}.Build().G))
	if len(res.Issues) != 1 || !strings.Contains(res.Issues[0].Message, "D8") || !strings.Contains(res.Issues[0].Message, "D10") ||
		!strings.Contains(res.Issues[0].Message, "3 thôn") {
		t.Errorf("column warning %+v, want D8 to D10, 3 thôn", res.Issues)
	}
}

// Every commune of every register, named in its own title the ways the
// template ("XÃ …", "Xã …, Huyện …, Tỉnh … — Mã xã: …") and offices write
// it, is its own: no false alarm on any of the
// 3,321 names of 2025-2026 or the 10,036 before the reform. Named in
// another's title, it is caught unless the two share the name.
func TestTitleNamesEveryCommune(t *testing.T) {
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, year := range []int{2024, 2025, 2026} {
		v := reg.ForYear(year)
		names := validate.CommuneNamesOf(v)
		codes := slices.Sorted(maps.Keys(v.Communes))
		alarms, caught := 0, 0
		for i, code := range codes {
			c := v.Communes[code]
			prov := v.Provinces[c.ProvinceCode].Name
			if d := v.Districts[c.DistrictCode]; d != nil {
				prov = d.Name + ", " + prov // the template's place line before the reform
			}
			for _, line := range []string{
				"UBND " + strings.ToUpper(c.Name),
				"ỦY BAN NHÂN DÂN " + strings.ToUpper(c.Type) + " " + strings.ToUpper(c.ShortName) + " – " + strings.ToUpper(prov),
				c.Name + ", " + prov + " — Mã xã: " + code,
				"Tên " + strings.ToLower(c.Type) + ": " + c.ShortName,
			} {
				if got, ok := names.TitleOther(line, code); ok {
					alarms++
					if alarms <= 10 {
						t.Errorf("%d: %q in the title of %s %s: alarm naming %s", year, line, code, c.Name, got)
					}
				}
			}
			// The next commune's name in this commune's title.
			o := v.Communes[codes[(i+1)%len(codes)]]
			if textnorm.Fold(o.ShortName) == textnorm.Fold(c.ShortName) {
				continue
			}
			line := "UBND " + strings.ToUpper(o.Name)
			// Another commune of the name may be shown (Xã Tân Phú for
			// Phường Tân Phú): the short name is what must agree.
			got, ok := names.TitleOther(line, code)
			if !ok || !strings.HasSuffix(textnorm.Fold(got), textnorm.Fold(o.ShortName)) {
				t.Errorf("%d: %q in the title of %s %s: %q %v, want %s", year, line, code, c.Name, got, ok, o.Name)
				continue
			}
			caught++
		}
		if alarms > 0 {
			t.Errorf("%d: %d false alarms", year, alarms)
		}
		t.Logf("%d: %d communes, %d other communes' titles caught", year, len(codes), caught)
	}
}

// BenchmarkCommuneNamesOf: indexing a register's names, which ingest does
// once per register version (not per upload).
func BenchmarkCommuneNamesOf(b *testing.B) {
	reg, err := registry.Load()
	if err != nil {
		b.Fatal(err)
	}
	for _, year := range []int{2024, 2026} {
		v := reg.ForYear(year)
		b.Run(fmt.Sprint(year), func(b *testing.B) {
			for b.Loop() {
				validate.CommuneNamesOf(v)
			}
		})
	}
}

// BenchmarkTitleOther: one title line against the national register.
func BenchmarkTitleOther(b *testing.B) {
	reg, err := registry.Load()
	if err != nil {
		b.Fatal(err)
	}
	names := validate.CommuneNamesOf(reg.ForYear(2026))
	for b.Loop() {
		names.TitleOther("Ủy ban nhân dân xã Bằng Thành, tỉnh Thái Nguyên — Mã xã: 01864", "01864")
	}
}
