package workbook

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/xhht/xhht/pipeline/internal/fixture"
)

// ---------------------------------------------------------------------------
// Expected content, compared with what the reader returns.

// wantSheet is what a sheet must read as: every cell not listed must be
// blank (Cell{}), every listed cell must be found.
type wantSheet struct {
	name   string
	hidden bool
	merges []Range
	cells  map[[2]int]Cell // (row, col), 1-based
}

func numCell(v float64) Cell {
	return Cell{Kind: Number, Num: v, Text: strconv.FormatFloat(v, 'f', -1, 64)}
}

func checkBook(t *testing.T, b *Book, want []*wantSheet) {
	t.Helper()
	if b.Format != "xls" {
		t.Errorf("Format = %q, want xls", b.Format)
	}
	if len(b.Sheets) != len(want) {
		var names []string
		for _, s := range b.Sheets {
			names = append(names, s.Name)
		}
		t.Fatalf("sheets %q, want %d", names, len(want))
	}
	for i, ws := range want {
		s := b.Sheets[i]
		if s.Name != ws.name || s.Hidden != ws.hidden {
			t.Errorf("sheet %d: %q hidden=%v, want %q hidden=%v", i, s.Name, s.Hidden, ws.name, ws.hidden)
		}
		got := slices.Clone(s.Merges)
		wm := slices.Clone(ws.merges)
		cmpRange := func(a, b Range) int {
			return cmpInts(a.Row1, b.Row1, a.Col1, b.Col1, a.Row2, b.Row2, a.Col2, b.Col2)
		}
		slices.SortFunc(got, cmpRange)
		slices.SortFunc(wm, cmpRange)
		if !reflect.DeepEqual(got, wm) && (len(got) != 0 || len(wm) != 0) {
			t.Errorf("sheet %q merges %v, want %v", ws.name, got, wm)
		}
		rows, err := allRows(t, s)
		if err != nil {
			t.Fatalf("sheet %q: %v", ws.name, err)
		}
		seen := map[[2]int]bool{}
		last, bad := 0, 0
		for _, r := range rows {
			if r.Num <= last || r.Num > 65536 {
				t.Errorf("sheet %q: row %d after row %d", ws.name, r.Num, last)
			}
			last = r.Num
			if r.IsBlank() {
				t.Errorf("sheet %q: blank row %d passed to fn", ws.name, r.Num)
			}
			for j, c := range r.Cells {
				k := [2]int{r.Num, j + 1}
				w := ws.cells[k]
				seen[k] = true
				if !sameCell(c, w) && bad < 20 {
					bad++
					t.Errorf("sheet %q %s = %+v, want %+v", ws.name, CellRef(r.Num, j+1), c, w)
				}
			}
		}
		for k, w := range ws.cells {
			if !seen[k] && bad < 20 {
				bad++
				t.Errorf("sheet %q %s: not read, want %+v", ws.name, CellRef(k[0], k[1]), w)
			}
		}
	}
}

func cmpInts(pairs ...int) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := pairs[i] - pairs[i+1]; c != 0 {
			return c
		}
	}
	return 0
}

// sameCell compares exactly; numbers bit for bit.
func sameCell(a, b Cell) bool {
	return a.Kind == b.Kind && a.Text == b.Text && math.Float64bits(a.Num) == math.Float64bits(b.Num) &&
		a.Formula == b.Formula && a.Encoding == b.Encoding
}

// ---------------------------------------------------------------------------
// Sources written with excelize, saved as .xls by LibreOffice.

type srcBook struct {
	t          testing.TB
	f          *excelize.File
	want       []*wantSheet
	veryHidden map[string]bool
}

func newSrcBook(t testing.TB) *srcBook { return &srcBook{t: t, f: excelize.NewFile()} }

func (b *srcBook) must(err error) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
}

// sheet adds a sheet; visibility 0 visible, 1 hidden, 2 very hidden.
func (b *srcBook) sheet(name string, visibility int) *wantSheet {
	if len(b.want) == 0 {
		b.must(b.f.SetSheetName("Sheet1", name))
	} else {
		_, err := b.f.NewSheet(name)
		b.must(err)
	}
	ws := &wantSheet{name: name, hidden: visibility != 0, cells: map[[2]int]Cell{}}
	b.want = append(b.want, ws)
	if visibility == 2 {
		if b.veryHidden == nil {
			b.veryHidden = map[string]bool{}
		}
		b.veryHidden[name] = true
	}
	return ws
}

func (b *srcBook) key(ref string) [2]int {
	r, c, ok := ParseRef(ref)
	if !ok {
		b.t.Fatalf("bad ref %s", ref)
	}
	return [2]int{r, c}
}

func (b *srcBook) str(ws *wantSheet, ref, s string) {
	b.must(b.f.SetCellStr(ws.name, ref, s))
	ws.cells[b.key(ref)] = Cell{Kind: String, Text: s}
}

func (b *srcBook) num(ws *wantSheet, ref string, v float64) {
	b.must(b.f.SetCellFloat(ws.name, ref, v, -1, 64))
	ws.cells[b.key(ref)] = numCell(v)
}

func (b *srcBook) boolean(ws *wantSheet, ref string, v bool) {
	b.must(b.f.SetCellBool(ws.name, ref, v))
	ws.cells[b.key(ref)] = Cell{Kind: Bool, Text: map[bool]string{true: "1", false: "0"}[v]}
}

func (b *srcBook) formula(ws *wantSheet, ref, f string, want Cell) {
	b.must(b.f.SetCellFormula(ws.name, ref, f))
	want.Formula = true
	ws.cells[b.key(ref)] = want
}

func (b *srcBook) merge(ws *wantSheet, from, to string) {
	b.must(b.f.MergeCell(ws.name, from, to))
	r1, c1, _ := ParseRef(from)
	r2, c2, _ := ParseRef(to)
	ws.merges = append(ws.merges, Range{r1, c1, r2, c2})
}

func (b *srcBook) font(ws *wantSheet, ref, family string) {
	id, err := b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: family}})
	b.must(err)
	b.must(b.f.SetCellStyle(ws.name, ref, ref, id))
}

func (b *srcBook) bytes() []byte {
	for _, ws := range b.want {
		if ws.hidden {
			b.must(b.f.SetSheetVisible(ws.name, false, b.veryHidden[ws.name]))
		}
	}
	buf, err := b.f.WriteToBuffer()
	b.must(err)
	b.must(b.f.Close())
	return buf.Bytes()
}

// xlsTestNumbers: values whose exact IEEE bits must survive. Small
// integers and values ×100 that are integers become RK records; the rest
// NUMBER records.
var xlsTestNumbers = []float64{
	0, 1, -1, 1234567, -0.5, 12.25, 1e-7, 123456789.123, 1 << 31, -(1 << 40),
	536870911, -536870912, // the 30-bit RK integer range ends
	536870912, -536870913, // just outside it
	0.1, 12.34, -0.01, 0.3, 3.5, -1234.5, 1.0 / 3, -2.0 / 3, 1e15, 1e300, -123.456,
	4503599627370497, 0.000123, 99999999.99, -7e-10, 2.5e-300,
}

// valuesSource: cell kinds, numbers, formulas, merges, legacy fonts and
// sheet visibility.
func valuesSource(t testing.TB) ([]byte, []*wantSheet) {
	b := newSrcBook(t)
	s := b.sheet("Biểu 01", 0)
	texts := []string{"Tên thôn", "Thôn Nà Rì", "Xã Đồng Tâm – Ấp Phước Lộc", "Số hộ được công nhận",
		"Trường học 🏫", "Ё ж 中文", "Café crème", "ABC", "  leading and trailing  ", "dòng 1\ndòng 2"}
	for i, s2 := range texts {
		b.str(s, CellRef(1, i+1), s2)
	}
	for i, v := range xlsTestNumbers {
		b.num(s, CellRef(3, i+1), v)
	}
	// LibreOffice has no boolean cells: it saves TRUE and FALSE as the
	// formulas =TRUE() and =FALSE().
	b.boolean(s, "A4", true)
	b.boolean(s, "B4", false)
	s.cells[[2]int{4, 1}] = Cell{Kind: Bool, Text: "1", Formula: true}
	s.cells[[2]int{4, 2}] = Cell{Kind: Bool, Text: "0", Formula: true}
	b.formula(s, "C4", "SUM(A3:D3)", numCell(1234567))
	b.formula(s, "D4", `"Thôn "&"A"`, Cell{Kind: String, Text: "Thôn A"})
	b.formula(s, "E4", "1=1", Cell{Kind: Bool, Text: "1"})
	b.formula(s, "F4", "1=2", Cell{Kind: Bool, Text: "0"})
	b.formula(s, "G4", "1/0", Cell{Kind: Error, Text: "#DIV/0!"})
	b.formula(s, "H4", "NA()", Cell{Kind: Error, Text: "#N/A"})
	b.formula(s, "I4", `""`, Cell{})
	b.formula(s, "J4", "-B3/4", numCell(-0.25))
	b.formula(s, "K4", "E3*2", numCell(-1))
	b.formula(s, "L4", "2^31", numCell(1<<31))
	b.formula(s, "M4", "G3*1", numCell(1e-7))
	b.formula(s, "N4", `"a"+1`, Cell{Kind: Error, Text: "#VALUE!"})
	b.formula(s, "O4", `NOSUCHFUNCTION()`, Cell{Kind: Error, Text: "#NAME?"})
	b.str(s, "IV5", "Cột cuối") // the last BIFF8 column
	b.num(s, "A5", 5)
	b.str(s, "A7", "Gộp")
	b.merge(s, "A7", "C8")
	b.num(s, "E7", 70)
	b.merge(s, "E7", "E9")
	b.num(s, "A65536", 42) // the last BIFF8 row
	// Legacy Vietnamese fonts: the text is stored as Windows-1252 glyphs.
	for _, c := range []struct{ ref, font, stored, want, enc string }{
		{"A10", ".VnTime", "Hµ Néi", "Hà Nội", "tcvn3"},
		{"B10", ".VnTimeH", "hµ néi", "HÀ NỘI", "tcvn3"},
		{"C10", "VNI-Times", "Haø Noäi", "Hà Nội", "vni"},
		{"D10", "Arial", "Hµ Néi", "Hµ Néi", ""},
		{"E10", ".VnArial", "Tr\u00adêng", "Trường", "tcvn3"},
	} {
		b.str(s, c.ref, c.stored)
		b.font(s, c.ref, c.font)
		s.cells[b.key(c.ref)] = Cell{Kind: String, Text: c.want, Encoding: c.enc}
	}
	b.num(s, "F10", 1234) // a number in a legacy font stays a number
	b.font(s, "F10", ".VnTime")
	b.formula(s, "G10", `"Hµ "&"Néi"`, Cell{Kind: String, Text: "Hà Nội", Encoding: "tcvn3"})
	b.font(s, "G10", ".VnTime")

	// Rich text: each formatting run has its own font; only the runs in a
	// legacy font are converted.
	rich := []excelize.RichTextRun{
		{Text: "Hµ Néi", Font: &excelize.Font{Family: ".VnTime"}},
		{Text: " – Hà Nội", Font: &excelize.Font{Family: "Arial"}},
	}
	for _, c := range []struct{ ref, font string }{{"H10", "Arial"}, {"I10", ".VnTime"}} {
		b.must(b.f.SetCellRichText(s.name, c.ref, rich))
		b.font(s, c.ref, c.font)
		s.cells[b.key(c.ref)] = Cell{Kind: String, Text: "Hà Nội – Hà Nội", Encoding: "tcvn3"}
	}
	b.must(b.f.SetCellRichText(s.name, "J10", []excelize.RichTextRun{
		{Text: "Thôn ", Font: &excelize.Font{Family: "Arial", Bold: true}},
		{Text: "Nà Rì", Font: &excelize.Font{Family: "Arial"}},
	}))
	s.cells[b.key("J10")] = Cell{Kind: String, Text: "Thôn Nà Rì"}

	s2 := b.sheet("Sheet 2", 0)
	b.str(s2, "B2", "Thôn Khuổi Cái")
	b.num(s2, "C2", -42)
	h := b.sheet("Ẩn", 1)
	b.str(h, "A1", "ẩn")
	vh := b.sheet("Rất ẩn", 2)
	b.num(vh, "A1", 7)
	return b.bytes(), b.want
}

// longText returns n runes of s repeated.
func longText(s string, n int) string {
	r := []rune(strings.Repeat(s, n/len([]rune(s))+1))
	return string(r[:n])
}

// longSource: 10,000 distinct strings and 9,000-character strings, so the
// shared string table runs over many CONTINUE records, with strings split
// across them in compressed and UTF-16 form.
func longSource(t testing.TB) ([]byte, []*wantSheet) {
	b := newSrcBook(t)
	s := b.sheet("Dài", 0)
	for i := 1; i <= 10000; i++ {
		var v string
		switch i % 3 {
		case 0:
			v = fmt.Sprintf("Household %05d - hamlet %d", i, i%30)
		case 1:
			v = fmt.Sprintf("Hộ số %05d – thôn %d", i, i%30)
		case 2:
			v = fmt.Sprintf("Café n°%05d", i)
		}
		b.str(s, CellRef(i, 1), v)
		b.num(s, CellRef(i, 3), float64(i))
	}
	for i, v := range []string{
		longText("abcdefghij", 9000),
		longText("Trường Học Cộng Đồng ", 9000),
		longText("abcdefghij", 4500) + longText("Nguyễn Thị Ánh ", 4500),
		longText("Nguyễn Thị Ánh ", 4500) + longText("abcdefghij", 4500),
		longText("é", 9000),
		longText("x", 8213), // around one record's worth of compressed characters
		longText("ộ", 4107),
	} {
		b.str(s, CellRef(i+1, 2), v)
	}
	return b.bytes(), b.want
}

// hamletRows: n Biểu 01 rows (columns B…L).
func hamletRows(n int) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		yes := []string{"Có", "Không"}
		rows[i] = []any{fmt.Sprintf("Thôn %d", i+1), 200 + i, 180 + i, 150 + i, 10, 9, 7, yes[i%2], yes[i%3%2], 400 + i, 250}
	}
	return rows
}

// gridWant turns a fixture grid into what the reader must return.
func gridWant(t testing.TB, g *fixture.Grid) *wantSheet {
	ws := &wantSheet{name: g.Name, hidden: g.Hidden, cells: map[[2]int]Cell{}}
	for r, vals := range g.Rows {
		for i, v := range vals {
			k := [2]int{r, i + 1}
			switch v := v.(type) {
			case nil:
			case string:
				if v != "" {
					ws.cells[k] = Cell{Kind: String, Text: v}
				}
			case int:
				ws.cells[k] = numCell(float64(v))
			case float64:
				ws.cells[k] = numCell(v)
			case bool:
				ws.cells[k] = Cell{Kind: Bool, Text: map[bool]string{true: "1", false: "0"}[v]}
			default:
				t.Fatalf("grid value %T", v)
			}
		}
	}
	for _, m := range g.Merges {
		a, b, _ := strings.Cut(m, ":")
		r1, c1, _ := ParseRef(a)
		r2, c2, _ := ParseRef(b)
		ws.merges = append(ws.merges, Range{r1, c1, r2, c2})
	}
	return ws
}

func hamletsSource(t testing.TB) ([]byte, []*wantSheet) {
	g := fixture.Form{Rows: hamletRows(30)}.Build().G
	return fixture.XLSX(t, g), []*wantSheet{gridWant(t, g)}
}

type xlsFixture struct {
	xlsx, xls []byte
	want      []*wantSheet
}

var xlsSources = map[string]func(testing.TB) ([]byte, []*wantSheet){
	"values": valuesSource, "long": longSource, "hamlets": hamletsSource,
}

var xlsGen struct {
	mu    sync.Mutex
	files map[string]*xlsFixture
}

// generatedXLS returns the named sources (all of them when no name is
// given) and the .xls files LibreOffice saved from them. Each is made once
// per test binary; the ones not made yet are converted in one soffice run.
// (Fuzzing workers are processes of their own: they make only what the
// fuzz target asks for.)
func generatedXLS(tb testing.TB, names ...string) map[string]*xlsFixture {
	tb.Helper()
	if _, err := exec.LookPath("soffice"); err != nil {
		tb.Fatal("soffice (LibreOffice) is not installed: run make tools (scripts/libreoffice.sh)")
	}
	if len(names) == 0 {
		names = slices.Sorted(maps.Keys(xlsSources))
	}
	xlsGen.mu.Lock()
	defer xlsGen.mu.Unlock()
	if xlsGen.files == nil {
		xlsGen.files = map[string]*xlsFixture{}
	}
	todo := map[string]*xlsFixture{}
	for _, n := range names {
		if xlsGen.files[n] == nil {
			data, want := xlsSources[n](tb)
			todo[n] = &xlsFixture{xlsx: data, want: want}
		}
	}
	if len(todo) > 0 {
		if err := convertToXLS(todo); err != nil {
			tb.Fatal(err)
		}
		maps.Copy(xlsGen.files, todo)
	}
	out := map[string]*xlsFixture{}
	for _, n := range names {
		out[n] = xlsGen.files[n]
	}
	return out
}

// convertToXLS saves each source as .xls with LibreOffice ("MS Excel 97"
// filter), all in one soffice call with its own profile directory.
func convertToXLS(files map[string]*xlsFixture) error {
	srcs := map[string][]byte{}
	for name, f := range files {
		srcs[name] = f.xlsx
	}
	out, err := sofficeConvert(srcs, "xls")
	if err != nil {
		return err
	}
	for name, f := range files {
		f.xls = out[name]
	}
	return nil
}

// sofficeConvert saves each .xlsx of srcs (by name) as ext with
// LibreOffice (soffice --convert-to), as an office would.
func sofficeConvert(srcs map[string][]byte, ext string) (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "soffice-fixtures-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	profile, out := filepath.Join(dir, "profile"), filepath.Join(dir, "out")
	args := []string{
		"-env:UserInstallation=" + (&url.URL{Scheme: "file", Path: filepath.ToSlash(profile)}).String(),
		"--headless", "--norestore", "--nolockcheck", "--nodefault",
		"--convert-to", ext, "--outdir", out,
	}
	for name, data := range srcs {
		src := filepath.Join(dir, name+".xlsx")
		if err := os.WriteFile(src, data, 0o644); err != nil {
			return nil, err
		}
		args = append(args, src)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "soffice", args...)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	xlsKillGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("soffice: %v\n%s", err, log.String())
	}
	res := map[string][]byte{}
	for name := range srcs {
		outExt, _, _ := strings.Cut(ext, ":") // "xml:MS Excel 2003 XML" writes .xml
		if res[name], err = os.ReadFile(filepath.Join(out, name+"."+outExt)); err != nil {
			return nil, fmt.Errorf("soffice wrote no %s.%s: %v\n%s", name, ext, err, log.String())
		}
	}
	return res, nil
}

func openXLSOK(t *testing.T, data []byte) *Book {
	t.Helper()
	b, err := Open("a.xls", data, DefaultLimits)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return b
}

// ---------------------------------------------------------------------------
// Files saved by LibreOffice.

func TestXLSFromLibreOffice(t *testing.T) {
	files := generatedXLS(t)
	for _, name := range []string{"values", "long", "hamlets"} {
		t.Run(name, func(t *testing.T) {
			f := files[name]
			checkBook(t, openXLSOK(t, f.xls), f.want)
		})
	}
}

// The legacy-font test relies on LibreOffice keeping the font names in the
// FONT records of the .xls.
func TestXLSKeepsFontNames(t *testing.T) {
	f := generatedXLS(t, "values")["values"]
	wb, err := xlsWorkbookStream(f.xls, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	x := &xlsBook{wb: wb}
	if _, _, err := x.readGlobals(DefaultLimits); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range x.fonts {
		have[f.name] = true
	}
	for _, name := range []string{".VnTime", ".VnTimeH", "VNI-Times", ".VnArial", "Arial"} {
		if !have[name] {
			t.Errorf("no FONT record named %q in the .xls (fonts: %v)", name, x.fonts)
		}
	}
}

// The shared string table of the long file really is split over CONTINUE
// records, and long strings are split inside their characters.
func TestXLSLongStringsAreContinued(t *testing.T) {
	f := generatedXLS(t, "long")["long"]
	wb, err := xlsWorkbookStream(f.xls, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	x := &xlsBook{wb: wb}
	continues := 0
	for off := 0; off < len(wb); {
		r, err := x.record(off)
		if err != nil {
			t.Fatal(err)
		}
		if r.typ == recSST {
			segs, _, err := x.continued(r)
			if err != nil {
				t.Fatal(err)
			}
			continues = len(segs) - 1
			break
		}
		off = r.next
	}
	if continues < 20 {
		t.Errorf("SST has %d CONTINUE records, want many", continues)
	}
}

func TestXLSStopAndReread(t *testing.T) {
	b := openXLSOK(t, generatedXLS(t, "hamlets")["hamlets"].xls)
	var nums []int
	err := b.Sheets[0].Rows(func(r Row) error {
		nums = append(nums, r.Num)
		if len(nums) == 3 {
			return Stop
		}
		return nil
	})
	if err != nil || len(nums) != 3 {
		t.Fatalf("rows %v, err %v", nums, err)
	}
	rows, err := allRows(t, b.Sheets[0])
	if err != nil || len(rows) < 30 || rows[0].Num != nums[0] {
		t.Errorf("second read: %d rows, %v", len(rows), err)
	}
}

// The sheets of one book may be read at the same time (run with -race):
// they share the decoded globals.
func TestXLSConcurrentReads(t *testing.T) {
	f := generatedXLS(t, "values")["values"]
	b := openXLSOK(t, f.xls)
	var wg sync.WaitGroup
	errs := make([]error, len(b.Sheets))
	for i := range errs {
		wg.Go(func() {
			errs[i] = b.Sheets[i].Rows(func(Row) error { return nil })
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// A password-protected .xls saved by LibreOffice (testdata/xls/encrypted.xls,
// see testdata/xls/README.md: soffice --convert-to cannot set a password).
func TestXLSEncryptedByLibreOffice(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "xls", "encrypted.xls"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open("a.xls", data, DefaultLimits)
	if !errors.Is(err, ErrEncrypted) || !errors.Is(err, ErrLegacyXLS) {
		t.Errorf("Open = %v, want ErrEncrypted (and ErrLegacyXLS)", err)
	}
}

func TestXLSLimits(t *testing.T) {
	f := generatedXLS(t, "values")["values"]
	tests := []struct {
		name string
		lim  Limits
		want error
	}{
		{"upload over MaxBytes", Limits{MaxBytes: int64(len(f.xls)) - 1}, ErrTooLarge},
		{"Workbook stream over MaxUnzippedBytes", Limits{MaxUnzippedBytes: 4096}, ErrTooLarge},
		{"too many sheets", Limits{MaxSheets: 3}, ErrTooLarge},
		{"exactly the limits", Limits{MaxBytes: int64(len(f.xls)), MaxSheets: 4}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open("a.xls", f.xls, tt.lim)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("Open = %v, want %v", err, tt.want)
			}
		})
	}
}

// Truncated and damaged copies of real files: an error (or, for damage the
// reader cannot see, a book), never a panic or a hang.
func TestXLSDamaged(t *testing.T) {
	files := generatedXLS(t, "values", "hamlets")
	for _, name := range []string{"values", "hamlets"} {
		good := files[name].xls
		for i := 1; i < 20; i++ {
			n := len(good) * i / 20
			t.Run(fmt.Sprintf("%s truncated to %d of %d bytes", name, n, len(good)), func(t *testing.T) {
				if err := readEverything(t, good[:n]); err == nil {
					t.Error("no error")
				} else if !errors.Is(err, ErrLegacyXLS) {
					t.Errorf("error = %v, want ErrLegacyXLS", err)
				}
			})
		}
		rng := rand.New(rand.NewPCG(1, uint64(len(good))))
		for i := 0; i < 200; i++ {
			bad := slices.Clone(good)
			for k := 0; k < 1+i%8; k++ {
				bad[8+rng.IntN(len(bad)-8)] = byte(rng.Uint32())
			}
			_ = readEverything(t, bad)
		}
	}
	rng := rand.New(rand.NewPCG(2, 3))
	for _, n := range []int{0, 100, 511, 512, 513, 4096, 100000} {
		t.Run(fmt.Sprintf("%d random bytes after the OLE magic", n), func(t *testing.T) {
			data := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, n)...)
			for i := 8; i < len(data); i++ {
				data[i] = byte(rng.Uint32())
			}
			if err := readEverything(t, data); !errors.Is(err, ErrCorrupt) || !errors.Is(err, ErrLegacyXLS) {
				t.Errorf("error = %v, want ErrCorrupt and ErrLegacyXLS", err)
			}
		})
	}
}

// readEverything opens data and reads every sheet; a panic fails the test.
func readEverything(t *testing.T, data []byte) (err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("panic: %v", p)
		}
	}()
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			panic("xls reader: no answer within 30 s")
		}
	}()
	defer close(done)
	b, err := Open("a.xls", data, DefaultLimits)
	if err != nil {
		return err
	}
	for _, s := range b.Sheets {
		if err := s.Rows(func(Row) error { return nil }); err != nil {
			return err
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Hand-built files: record layouts a test must control exactly.

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func biffRec(typ uint16, body ...[]byte) []byte {
	b := cat(body...)
	return cat(le16(typ), le16(uint16(len(b))), b)
}

func bofRec(vers, dt uint16) []byte {
	return biffRec(recBOF, le16(vers), le16(dt), make([]byte, 12))
}

// cell record prefix: row and column (0-based), XF.
func rc(row, col, xf int) []byte { return cat(le16(uint16(row)), le16(uint16(col)), le16(uint16(xf))) }

func numberRec(row, col int, v float64) []byte {
	return biffRec(recNumber, rc(row, col, 0), binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)))
}

// rkInt is the RK form of a 30-bit integer; rkInt100 of n/100.
func rkInt(n int32) uint32    { return uint32(n)<<2 | 2 }
func rkInt100(n int32) uint32 { return uint32(n)<<2 | 3 }

func rkRec(row, col int, rk uint32) []byte { return biffRec(recRK, rc(row, col, 0), le32(rk)) }

func labelSSTRec(row, col, xf int, i uint32) []byte {
	return biffRec(recLabelSST, rc(row, col, xf), le32(i))
}

// xlStr is an XLUnicodeString: 16-bit count, flags, characters (compressed
// when every character fits in a byte).
func xlStr(s string) []byte {
	u := utf16.Encode([]rune(s))
	compressed := true
	for _, c := range u {
		if c > 0xFF {
			compressed = false
		}
	}
	if compressed {
		b := cat(le16(uint16(len(u))), []byte{0})
		for _, c := range u {
			b = append(b, byte(c))
		}
		return b
	}
	b := cat(le16(uint16(len(u))), []byte{1})
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// formulaRec: a FORMULA record with an 8-byte result and an empty formula.
func formulaRec(row, col, xf int, result []byte) []byte {
	return biffRec(recFormula, rc(row, col, xf), result, le16(0), le32(0), le16(0))
}

func formulaSpecial(typ, v byte) []byte { return []byte{typ, 0, v, 0, 0, 0, 0xFF, 0xFF} }

func mergedRec(ranges ...[4]int) []byte {
	b := le16(uint16(len(ranges)))
	for _, r := range ranges {
		b = cat(b, le16(uint16(r[0])), le16(uint16(r[1])), le16(uint16(r[2])), le16(uint16(r[3])))
	}
	return biffRec(recMergedCells, b)
}

// sstRecs makes an SST record of the given segments: segs[0] is the body
// after the counts, each further segment a CONTINUE record.
func sstRecs(unique uint32, segs ...[]byte) []byte {
	out := biffRec(recSST, le32(unique), le32(unique), segs[0])
	for _, s := range segs[1:] {
		out = cat(out, biffRec(recContinue, s))
	}
	return out
}

type synthSheet struct {
	name  string
	state byte // BOUNDSHEET visibility
	dt    byte // BOUNDSHEET sheet type: 0 worksheet
	vers  uint16
	recs  [][]byte // between BOF and EOF
}

// synthFonts: five Arial FONT records, then .VnTime (font index 6: BIFF8
// numbering skips 4), .VnTimeH (7) and VNI-Times (8). XF 0 uses Arial,
// XF 1 .VnTime, XF 2 .VnTimeH, XF 3 VNI-Times.
func synthFonts() []byte {
	font := func(name string) []byte {
		return biffRec(recFont, make([]byte, 14), []byte{byte(len(name)), 0}, []byte(name))
	}
	xf := func(ifnt uint16) []byte { return biffRec(recXF, le16(ifnt), make([]byte, 18)) }
	return cat(font("Arial"), font("Arial"), font("Arial"), font("Arial"), font("Arial"), font(".VnTime"), font(".VnTimeH"), font("VNI-Times"),
		xf(0), xf(6), xf(7), xf(8))
}

// biffStream lays out a Workbook stream: globals (BOF, extra records, fonts
// and XFs, BOUNDSHEETs, then sst) and the sheets.
func biffStream(extra, sst []byte, sheets ...synthSheet) []byte {
	build := func(offsets []int) []byte {
		g := cat(bofRec(0x0600, bofGlobals), extra, synthFonts())
		for i, s := range sheets {
			name := []byte(s.name)
			g = cat(g, biffRec(recBoundSheet, le32(uint32(offsets[i])), []byte{s.state, s.dt, byte(len(name)), 0}, name))
		}
		return cat(g, sst, biffRec(recEOF))
	}
	offsets := make([]int, len(sheets))
	pos := len(build(offsets))
	var body []byte
	for i, s := range sheets {
		offsets[i] = pos
		vers := s.vers
		if vers == 0 {
			vers = 0x0600
		}
		sh := cat(bofRec(vers, bofWorksheet), cat(s.recs...), biffRec(recEOF))
		body = cat(body, sh)
		pos += len(sh)
	}
	return cat(build(offsets), body)
}

type cfbStream struct {
	name string
	data []byte
}

// cfbFile builds a version-3 compound file (512-byte sectors) with the
// streams at its root. Streams are padded to 4096 bytes so none goes to
// the mini stream, which this writer does not make.
func cfbFile(streams ...cfbStream) []byte {
	const (
		ss         = 512
		endOfChain = 0xFFFFFFFE
		free       = 0xFFFFFFFF
		fatSect    = 0xFFFFFFFD
	)
	var sizes []int
	for i := range streams {
		if len(streams[i].data) < 4096 {
			streams[i].data = append(slices.Clone(streams[i].data), make([]byte, 4096-len(streams[i].data))...)
		}
		sizes = append(sizes, (len(streams[i].data)+ss-1)/ss)
	}
	dirSectors := ((1+len(streams))*128 + ss - 1) / ss
	dataSectors := 0
	for _, n := range sizes {
		dataSectors += n
	}
	fatSectors := 1
	for fatSectors*ss/4 < fatSectors+dirSectors+dataSectors {
		fatSectors++
	}
	fat := make([]uint32, fatSectors*ss/4)
	for i := range fat {
		fat[i] = free
	}
	for i := 0; i < fatSectors; i++ {
		fat[i] = fatSect
	}
	chain := func(start, n int) {
		for i := start; i < start+n-1; i++ {
			fat[i] = uint32(i + 1)
		}
		fat[start+n-1] = endOfChain
	}
	dirStart := fatSectors
	chain(dirStart, dirSectors)
	starts := make([]int, len(streams))
	next := dirStart + dirSectors
	for i, n := range sizes {
		starts[i] = next
		chain(next, n)
		next += n
	}
	h := make([]byte, 512)
	copy(h, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le := binary.LittleEndian
	le.PutUint16(h[24:], 0x3E)
	le.PutUint16(h[26:], 3)
	le.PutUint16(h[28:], 0xFFFE)
	le.PutUint16(h[30:], 9)
	le.PutUint16(h[32:], 6)
	le.PutUint32(h[44:], uint32(fatSectors))
	le.PutUint32(h[48:], uint32(dirStart))
	le.PutUint32(h[56:], 4096)
	le.PutUint32(h[60:], endOfChain)
	le.PutUint32(h[68:], endOfChain)
	for i := 0; i < 109; i++ {
		v := uint32(free)
		if i < fatSectors {
			v = uint32(i)
		}
		le.PutUint32(h[76+4*i:], v)
	}
	entry := func(name string, typ byte, child, right uint32, start uint32, size int) []byte {
		e := make([]byte, 128)
		u := utf16.Encode([]rune(name))
		for i, c := range u {
			le.PutUint16(e[2*i:], c)
		}
		le.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66], e[67] = typ, 1
		le.PutUint32(e[68:], free)
		le.PutUint32(e[72:], right)
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], start)
		le.PutUint32(e[120:], uint32(size))
		return e
	}
	dir := entry("Root Entry", 5, 1, free, endOfChain, 0)
	for i, s := range streams {
		right := uint32(free)
		if i+1 < len(streams) {
			right = uint32(i + 2)
		}
		dir = cat(dir, entry(s.name, 2, free, right, uint32(starts[i]), len(s.data)))
	}
	dir = append(dir, make([]byte, dirSectors*ss-len(dir))...)
	out := slices.Clone(h)
	for _, v := range fat {
		out = le.AppendUint32(out, v)
	}
	out = append(out, dir...)
	for i, s := range streams {
		out = append(out, s.data...)
		out = append(out, make([]byte, sizes[i]*ss-len(s.data))...)
	}
	return out
}

func synthXLS(extra, sst []byte, sheets ...synthSheet) []byte {
	return cfbFile(cfbStream{"Workbook", biffStream(extra, sst, sheets...)})
}

// The hand-built writer is itself checked against the reader's view of a
// simple workbook before the tests below rely on it.
func TestXLSSynthetic(t *testing.T) {
	data := synthXLS(nil, sstRecs(2, cat(xlStr("Thôn A"), xlStr("Hµ Néi"))),
		synthSheet{name: "S1", recs: [][]byte{
			numberRec(0, 0, -0.5), rkRec(0, 1, rkInt(-1)), labelSSTRec(0, 2, 0, 0), labelSSTRec(0, 3, 1, 1),
			biffRec(recBoolErr, rc(1, 0, 0), []byte{1, 0}), biffRec(recBoolErr, rc(1, 1, 0), []byte{0x2A, 1}),
			biffRec(recLabel, rc(1, 2, 0), xlStr("Ấp 3")),
			formulaRec(2, 0, 0, formulaSpecial(0, 0)), biffRec(recShrFmla, make([]byte, 10)), biffRec(recString, xlStr("kết quả")),
			formulaRec(2, 1, 0, formulaSpecial(1, 1)), formulaRec(2, 2, 0, formulaSpecial(2, 0x07)),
			formulaRec(2, 3, 0, formulaSpecial(3, 0)), formulaRec(2, 4, 0, binary.LittleEndian.AppendUint64(nil, math.Float64bits(12.25))),
			biffRec(recBlank, rc(3, 0, 0)),
			biffRec(recMulRK, rc(4, 1, 0), le32(rkInt(7)), le16(0), le32(rkInt100(-50)), le16(2)),
			biffRec(recMulBlank, rc(5, 0, 0), le16(0), le16(0), le16(2)),
			mergedRec([4]int{6, 7, 0, 2}),
		}},
		synthSheet{name: "Hidden", state: 1, recs: [][]byte{numberRec(0, 0, 1)}},
		synthSheet{name: "Chart", dt: 2},
		synthSheet{name: "VeryHidden", state: 2},
	)
	want := []*wantSheet{
		{name: "S1", merges: []Range{{7, 1, 8, 3}}, cells: map[[2]int]Cell{
			{1, 1}: numCell(-0.5), {1, 2}: numCell(-1), {1, 3}: {Kind: String, Text: "Thôn A"},
			{1, 4}: {Kind: String, Text: "Hà Nội", Encoding: "tcvn3"},
			{2, 1}: {Kind: Bool, Text: "1"}, {2, 2}: {Kind: Error, Text: "#N/A"}, {2, 3}: {Kind: String, Text: "Ấp 3"},
			{3, 1}: {Kind: String, Text: "kết quả", Formula: true}, {3, 2}: {Kind: Bool, Text: "1", Formula: true},
			{3, 3}: {Kind: Error, Text: "#DIV/0!", Formula: true}, {3, 4}: {Formula: true}, {3, 5}: {Kind: Number, Num: 12.25, Text: "12.25", Formula: true},
			{5, 2}: numCell(7), {5, 3}: numCell(-0.5),
		}},
		{name: "Hidden", hidden: true, cells: map[[2]int]Cell{{1, 1}: numCell(1)}},
		{name: "VeryHidden", hidden: true, cells: map[[2]int]Cell{}},
	}
	checkBook(t, openXLSOK(t, data), want)
}

// Every BIFF8 error code, as a constant and as a formula result.
func TestXLSErrorCodes(t *testing.T) {
	codes := []struct {
		code byte
		text string
	}{{0x00, "#NULL!"}, {0x07, "#DIV/0!"}, {0x0F, "#VALUE!"}, {0x17, "#REF!"}, {0x1D, "#NAME?"}, {0x24, "#NUM!"}, {0x2A, "#N/A"}, {0x2B, "#GETTING_DATA"}}
	var recs [][]byte
	want := &wantSheet{name: "S", cells: map[[2]int]Cell{}}
	for i, c := range codes {
		recs = append(recs, biffRec(recBoolErr, rc(i, 0, 0), []byte{c.code, 1}), formulaRec(i, 1, 0, formulaSpecial(2, c.code)))
		want.cells[[2]int{i + 1, 1}] = Cell{Kind: Error, Text: c.text}
		want.cells[[2]int{i + 1, 2}] = Cell{Kind: Error, Text: c.text, Formula: true}
	}
	checkBook(t, openXLSOK(t, synthXLS(nil, nil, synthSheet{name: "S", recs: recs})), []*wantSheet{want})
}

func TestXLSRK(t *testing.T) {
	f64hi := func(v float64) uint32 {
		bits := math.Float64bits(v)
		if bits&(1<<34-1) != 0 {
			t.Fatalf("%v is not an RK float", v)
		}
		return uint32(bits >> 32)
	}
	tests := []struct {
		rk   uint32
		want float64
	}{
		{rkInt(0), 0},
		{rkInt(1), 1},
		{rkInt(-1), -1},
		{rkInt(536870911), 536870911},
		{rkInt(-536870912), -536870912},
		{rkInt(1234567), 1234567},
		{rkInt100(-50), -0.5},
		{rkInt100(1225), 12.25},
		{rkInt100(-1), -0.01},
		{rkInt100(10), 0.1},
		{rkInt100(-12345678), -123456.78},
		{f64hi(0.5), 0.5},
		{f64hi(-0.5), -0.5},
		{f64hi(-1234.5), -1234.5},
		{f64hi(1 << 40), 1 << 40},
		{f64hi(-(1 << 40)), -(1 << 40)},
		{f64hi(1.5) | 1, 0.015},
		{f64hi(-3.5) | 1, -0.035},
	}
	var recs [][]byte
	want := &wantSheet{name: "S", cells: map[[2]int]Cell{}}
	for i, tt := range tests {
		recs = append(recs, rkRec(i, 0, tt.rk))
		want.cells[[2]int{i + 1, 1}] = numCell(tt.want)
	}
	checkBook(t, openXLSOK(t, synthXLS(nil, nil, synthSheet{name: "S", recs: recs})), []*wantSheet{want})
}

// Strings split across CONTINUE records in every way the format allows.
func TestXLSSSTContinue(t *testing.T) {
	u16 := func(s string) []byte {
		var b []byte
		for _, c := range utf16.Encode([]rune(s)) {
			b = binary.LittleEndian.AppendUint16(b, c)
		}
		return b
	}
	runs := cat(le16(0), le16(1), le16(2), le16(0)) // two formatting runs
	ext := []byte("PHONETIC")                       // phonetic data, skipped
	segs := [][]byte{
		// 0: "Hà Nội" compressed "Hà N", continued as UTF-16 "ội".
		cat(le16(6), []byte{0}, []byte("H\xe0 N")),
		cat([]byte{1}, u16("ội"),
			// 1: "Thôn" UTF-16 "Th", continued compressed "ôn".
			le16(4), []byte{1}, u16("Th")),
		cat([]byte{0}, []byte("\xf4n"),
			// 2: rich text with two runs, split inside the runs (no flag byte there).
			le16(3), []byte{8}, le16(2), []byte("abc"), runs[:3]),
		cat(runs[3:],
			// 3: phonetic data split across records.
			le16(2), []byte{4}, le32(uint32(len(ext))), []byte("xy"), ext[:5]),
		cat(ext[5:],
			// 4: a string whose characters end exactly at the end of a record.
			le16(3), []byte{0}, []byte("end")),
		// 5: the next string starts a record, with no flag byte before it.
		cat(le16(2), []byte{1}, u16("Ấp"),
			// 6: rich and phonetic, UTF-16 split mid-string, then compressed.
			le16(5), []byte{0x0D}, le16(1), le32(3), u16("Tổ")),
		cat([]byte{0}, []byte("ng!"), runs[:4], []byte("PHO"),
			// 7: an empty string.
			le16(0), []byte{0},
			// 8: header split across records.
			le16(1)),
		cat([]byte{0}, []byte("z")),
	}
	wantText := []string{"Hà Nội", "Thôn", "abc", "xy", "end", "Ấp", "Tổng!", "", "z"}
	var recs [][]byte
	want := &wantSheet{name: "S", cells: map[[2]int]Cell{}}
	for i, s := range wantText {
		recs = append(recs, labelSSTRec(i, 0, 0, uint32(i)), numberRec(i, 1, float64(i)))
		want.cells[[2]int{i + 1, 2}] = numCell(float64(i))
		if s != "" {
			want.cells[[2]int{i + 1, 1}] = Cell{Kind: String, Text: s}
		}
	}
	data := synthXLS(nil, sstRecs(uint32(len(wantText)), segs...), synthSheet{name: "S", recs: recs})
	checkBook(t, openXLSOK(t, data), []*wantSheet{want})

	// LABEL and STRING records continue the same way.
	data = synthXLS(nil, nil, synthSheet{name: "S", recs: [][]byte{
		biffRec(recLabel, rc(0, 0, 0), le16(6), []byte{0}, []byte("H\xe0 N")), biffRec(recContinue, []byte{1}, u16("ội")),
		formulaRec(1, 0, 1, formulaSpecial(0, 0)),
		biffRec(recString, le16(6), []byte{0}, []byte("H\xb5 N")), biffRec(recContinue, []byte{0}, []byte("\xe9i")),
	}})
	checkBook(t, openXLSOK(t, data), []*wantSheet{{name: "S", cells: map[[2]int]Cell{
		{1, 1}: {Kind: String, Text: "Hà Nội"},
		{2, 1}: {Kind: String, Text: "Hà Nội", Encoding: "tcvn3", Formula: true},
	}}})
}

// Formatting runs name their own fonts: each stretch of a rich string is
// converted by its font; the text before the first run is in the cell's.
func TestXLSRichTextFonts(t *testing.T) {
	run := func(ich, ifnt uint16) []byte { return cat(le16(ich), le16(ifnt)) }
	rich := func(s string, runs ...[]byte) []byte {
		b := xlStr(s)
		return cat(b[:2], []byte{b[2] | 8}, le16(uint16(len(runs))), b[3:], cat(runs...))
	}
	// Font 0 is Arial, font 6 .VnTime; XF 0 Arial, XF 1 .VnTime.
	sst := sstRecs(3,
		cat(rich("Hµ Néi – Hà Nội", run(0, 6), run(6, 0)), // Arial cell, first run .VnTime
			rich("Hµ Néi Hà Nội", run(7, 0)),      // .VnTime cell, Arial from character 7
			rich("Hµ Néi", run(0, 1), run(3, 6))), // Arial cell: "Hµ " Arial, "Néi" .VnTime
	)
	data := synthXLS(nil, sst, synthSheet{name: "S", recs: [][]byte{
		labelSSTRec(0, 0, 0, 0), labelSSTRec(1, 0, 1, 1), labelSSTRec(2, 0, 0, 2),
		labelSSTRec(3, 0, 1, 0), // the runs decide, not the cell's font
		biffRec(recRString, rc(4, 0, 0), xlStr("Hµ Néi!"), le16(1), run(0, 6)),
		biffRec(recRString, rc(5, 0, 0), xlStr("Hµ Néi!"), le16(1), run(6, 6)),
	}})
	checkBook(t, openXLSOK(t, data), []*wantSheet{{name: "S", cells: map[[2]int]Cell{
		{1, 1}: {Kind: String, Text: "Hà Nội – Hà Nội", Encoding: "tcvn3"},
		{2, 1}: {Kind: String, Text: "Hà Nội Hà Nội", Encoding: "tcvn3"},
		{3, 1}: {Kind: String, Text: "Hµ Nội", Encoding: "tcvn3"},
		{4, 1}: {Kind: String, Text: "Hà Nội – Hà Nội", Encoding: "tcvn3"},
		{5, 1}: {Kind: String, Text: "Hà Nội!", Encoding: "tcvn3"},
		{6, 1}: {Kind: String, Text: "Hµ Néi!", Encoding: "tcvn3"},
	}}})
	for name, data := range map[string][]byte{
		"run in font 4":          synthXLS(nil, sstRecs(1, rich("ab", run(0, 4))), synthSheet{name: "S"}),
		"run past the text":      synthXLS(nil, sstRecs(1, rich("ab", run(3, 0))), synthSheet{name: "S"}),
		"runs out of order":      synthXLS(nil, sstRecs(1, rich("abc", run(2, 0), run(1, 0))), synthSheet{name: "S"}),
		"RSTRING run in font 99": synthXLS(nil, nil, synthSheet{name: "S", recs: [][]byte{biffRec(recRString, rc(0, 0, 0), xlStr("ab"), le16(1), run(0, 99))}}),
	} {
		if err := readEverything(t, data); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: error %v, want ErrCorrupt", name, err)
		}
	}
}

// A chart drawn on a worksheet is a substream (BOF…EOF) inside it; its
// records are not the sheet's cells.
func TestXLSEmbeddedSubstream(t *testing.T) {
	data := synthXLS(nil, nil, synthSheet{name: "S", recs: [][]byte{
		numberRec(0, 0, 1), bofRec(0x0600, 0x0020), numberRec(5, 5, 99), bofRec(0x0600, 0x0020), biffRec(recEOF), biffRec(recEOF), numberRec(1, 0, 2),
	}})
	checkBook(t, openXLSOK(t, data), []*wantSheet{{name: "S", cells: map[[2]int]Cell{{1, 1}: numCell(1), {2, 1}: numCell(2)}}})
}

// Some generators write cells out of row order; rows still come in order.
func TestXLSCellsOutOfOrder(t *testing.T) {
	data := synthXLS(nil, nil, synthSheet{name: "S", recs: [][]byte{
		numberRec(5, 1, 51), numberRec(0, 0, 0), numberRec(5, 0, 50), numberRec(2, 3, 23), numberRec(0, 2, 2),
	}})
	checkBook(t, openXLSOK(t, data), []*wantSheet{{name: "S", cells: map[[2]int]Cell{
		{1, 1}: numCell(0), {1, 3}: numCell(2), {3, 4}: numCell(23), {6, 1}: numCell(50), {6, 2}: numCell(51),
	}}})
}

func TestXLSRejects(t *testing.T) {
	sheet := func(recs ...[]byte) synthSheet { return synthSheet{name: "S", recs: recs} }
	filepass := biffRec(recFilePass, le16(1), le16(1), le16(1), make([]byte, 48))
	biff5 := cfbFile(cfbStream{"Book", cat(bofRec(0x0500, bofGlobals), biffRec(recEOF))})
	tests := []struct {
		name string
		data []byte
		want []error
	}{
		{"FILEPASS (encrypted)", synthXLS(filepass, nil, sheet(numberRec(0, 0, 1))), []error{ErrEncrypted, ErrLegacyXLS}},
		{"encrypted .xlsx", cfbFile(cfbStream{"EncryptionInfo", make([]byte, 100)}, cfbStream{"EncryptedPackage", make([]byte, 100)}), []error{ErrEncrypted}},
		{"BIFF5 Book stream", biff5, []error{ErrUnsupportedXLS, ErrLegacyXLS}},
		{"BIFF5 BOF in a Workbook stream", cfbFile(cfbStream{"Workbook", cat(bofRec(0x0500, bofGlobals), biffRec(recEOF))}), []error{ErrUnsupportedXLS}},
		{"BIFF5 worksheet", synthXLS(nil, nil, synthSheet{name: "S", vers: 0x0500}), []error{ErrUnsupportedXLS}},
		{"BIFF2 NUMBER record", synthXLS(nil, nil, sheet(biffRec(0x0003, rc(0, 0, 0), make([]byte, 9)))), []error{ErrUnsupportedXLS}},
		{"BIFF4 FORMULA record", synthXLS(nil, nil, sheet(biffRec(0x0406, rc(0, 0, 0), make([]byte, 16)))), []error{ErrUnsupportedXLS}},
		{"unknown error code", synthXLS(nil, nil, sheet(biffRec(recBoolErr, rc(0, 0, 0), []byte{0x99, 1}))), []error{ErrUnsupportedXLS}},
		{"unknown formula result type", synthXLS(nil, nil, sheet(formulaRec(0, 0, 0, formulaSpecial(7, 0)))), []error{ErrUnsupportedXLS}},
		{"Word document", cfbFile(cfbStream{"WordDocument", make([]byte, 100)}), []error{ErrUnsupported}},
		{"OLE magic and zeros", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), []error{ErrCorrupt, ErrLegacyXLS}},
		// Hostile or damaged structures.
		{"SST count larger than its strings", synthXLS(nil, sstRecs(1<<31, xlStr("a")), sheet()), []error{ErrCorrupt}},
		{"shared string index out of range", synthXLS(nil, sstRecs(1, xlStr("a")), sheet(labelSSTRec(0, 0, 0, 1))), []error{ErrCorrupt}},
		{"string longer than its record", synthXLS(nil, nil, sheet(biffRec(recLabel, rc(0, 0, 0), le16(100), []byte{0}, []byte("abc")))), []error{ErrCorrupt}},
		{"UTF-16 character split", synthXLS(nil, sstRecs(1, cat(le16(2), []byte{1}, []byte{'a', 0, 'b'}), []byte{1, 0, 0}), sheet()), []error{ErrCorrupt}},
		{"bad continuation flag", synthXLS(nil, sstRecs(1, cat(le16(2), []byte{0}, []byte("a")), []byte{7, 'b'}), sheet()), []error{ErrCorrupt}},
		{"column beyond IV", synthXLS(nil, nil, sheet(numberRec(0, 256, 1))), []error{ErrCorrupt}},
		{"MULRK columns do not match", synthXLS(nil, nil, sheet(biffRec(recMulRK, rc(0, 0, 0), le32(2), le16(0), le32(2), le16(5)))), []error{ErrCorrupt}},
		{"MULBLANK beyond IV", synthXLS(nil, nil, sheet(biffRec(recMulBlank, rc(0, 250, 0), bytes.Repeat(le16(0), 10), le16(259)))), []error{ErrCorrupt}},
		{"merge beyond IV", synthXLS(nil, nil, sheet(mergedRec([4]int{0, 1, 0, 300}))), []error{ErrCorrupt}},
		{"merge upside down", synthXLS(nil, nil, sheet(mergedRec([4]int{5, 1, 0, 0}))), []error{ErrCorrupt}},
		{"MERGEDCELLS count lies", synthXLS(nil, nil, sheet(biffRec(recMergedCells, le16(1000), make([]byte, 8)))), []error{ErrCorrupt}},
		{"two records for one cell", synthXLS(nil, nil, sheet(numberRec(0, 0, 1), numberRec(0, 0, 2))), []error{ErrCorrupt}},
		{"boolean 2", synthXLS(nil, nil, sheet(biffRec(recBoolErr, rc(0, 0, 0), []byte{2, 0}))), []error{ErrCorrupt}},
		{"cell format out of range", synthXLS(nil, nil, sheet(biffRec(recNumber, rc(0, 0, 99), make([]byte, 8)))), []error{ErrCorrupt}},
		{"string formula without STRING", synthXLS(nil, nil, sheet(formulaRec(0, 0, 0, formulaSpecial(0, 0)), numberRec(0, 1, 1))), []error{ErrCorrupt}},
		{"short NUMBER record", synthXLS(nil, nil, sheet(biffRec(recNumber, rc(0, 0, 0), make([]byte, 4)))), []error{ErrCorrupt}},
		{"record length past the stream", cfbFile(cfbStream{"Workbook", cat(bofRec(0x0600, bofGlobals), le16(recFont), le16(8000))}), []error{ErrCorrupt}},
		{"globals without EOF", cfbFile(cfbStream{"Workbook", bofRec(0x0600, bofGlobals)}), []error{ErrCorrupt}},
		{"sheet offset past the stream", cfbFile(cfbStream{"Workbook", cat(bofRec(0x0600, bofGlobals),
			biffRec(recBoundSheet, le32(1<<30), []byte{0, 0, 1, 0, 'S'}), biffRec(recEOF))}), []error{ErrCorrupt}},
		{"sheet offset at the globals", cfbFile(cfbStream{"Workbook", cat(bofRec(0x0600, bofGlobals),
			biffRec(recBoundSheet, le32(0), []byte{0, 0, 1, 0, 'S'}), biffRec(recEOF))}), []error{ErrCorrupt}},
		{"worksheet without EOF", cfbFile(cfbStream{"Workbook", cat(bofRec(0x0600, bofGlobals), synthFonts(),
			biffRec(recBoundSheet, le32(uint32(20+len(synthFonts())+13+4)), []byte{0, 0, 1, 0, 'S'}), biffRec(recEOF),
			bofRec(0x0600, bofWorksheet), numberRec(0, 0, 1))}), []error{ErrCorrupt}},
		{"two sheets at one offset", func() []byte {
			pos := uint32(20 + len(synthFonts()) + 2*13 + 4)
			bs := biffRec(recBoundSheet, le32(pos), []byte{0, 0, 1, 0, 'S'})
			return cfbFile(cfbStream{"Workbook", cat(bofRec(0x0600, bofGlobals), synthFonts(), bs, bs, biffRec(recEOF),
				bofRec(0x0600, bofWorksheet), numberRec(0, 0, 1), biffRec(recEOF))})
		}(), []error{ErrCorrupt}},
		{"XF with font 4", cfbFile(cfbStream{"Workbook", cat(bofRec(0x0600, bofGlobals), synthFonts(), biffRec(recXF, le16(4), make([]byte, 18)), biffRec(recEOF))}), []error{ErrCorrupt}},
		{"FAT sector count larger than the file", func() []byte {
			d := synthXLS(nil, nil, sheet())
			binary.LittleEndian.PutUint32(d[44:], 1<<30)
			return d
		}(), []error{ErrCorrupt, ErrLegacyXLS}},
		{"Workbook stream larger than the file", func() []byte {
			d := synthXLS(nil, nil, sheet())
			binary.LittleEndian.PutUint32(d[512+512+128+120:], 1<<31)
			return d
		}(), []error{ErrCorrupt, ErrLegacyXLS}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := readEverything(t, tt.data)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("error = %v, want %v", err, w)
				}
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Fuzzing and benchmarks.

// FuzzOpenXLS: an input with the OLE magic is a whole file; any other input
// is a Workbook stream, put in a compound file here, so that mutations reach
// the BIFF records instead of mostly breaking the container.
func FuzzOpenXLS(f *testing.F) {
	// Small seeds: the committed LibreOffice-made files of the corpus
	// (a few KB each; no soffice run here) and their Workbook streams.
	// Large seeds made the fuzzer spend its time minimizing (each new
	// input up to -fuzzminimizetime, 60 s by default) instead of running.
	for _, b := range corpusFiles(f, ".xls") {
		if len(b) > 16<<10 {
			continue
		}
		f.Add(b)
		if wb, err := xlsWorkbookStream(b, DefaultLimits); err == nil {
			f.Add(wb)
		}
	}
	f.Add(biffStream(nil, sstRecs(2, cat(le16(3), []byte{0}, []byte("a")), cat([]byte{1}, []byte{'b', 0, 'c', 0}), xlStr("d")),
		synthSheet{name: "S", recs: [][]byte{
			labelSSTRec(0, 0, 1, 0), rkRec(0, 1, 0x3), numberRec(1, 0, 1.5), mergedRec([4]int{0, 1, 0, 1}),
			formulaRec(2, 0, 0, formulaSpecial(0, 0)), biffRec(recString, xlStr("s")),
			biffRec(recMulRK, rc(3, 1, 0), le32(6), le16(0), le32(10), le16(2)),
			biffRec(recRString, rc(4, 0, 0), xlStr("Hµ Néi!"), le16(1), cat(le16(3), le16(6))),
			numberRec(0, 5, 2),
		}}))
	magic := []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, magic) {
			if len(data) > 1<<20 {
				return
			}
			data = cfbFile(cfbStream{"Workbook", data})
		}
		b, err := Open("a.xls", data, Limits{MaxBytes: 2 << 20, MaxUnzippedBytes: 4 << 20, MaxSheets: 20})
		if err != nil {
			if !errors.Is(err, ErrLegacyXLS) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrEncrypted) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		for _, s := range b.Sheets {
			for _, m := range s.Merges {
				if m.Row1 < 1 || m.Row1 > m.Row2 || m.Row2 > 65536 || m.Col1 < 1 || m.Col1 > m.Col2 || m.Col2 > 256 {
					t.Fatalf("merge %+v", m)
				}
			}
			last := 0
			err := s.Rows(func(r Row) error {
				if r.Num <= last || r.Num > 65536 || len(r.Cells) > 256 || r.IsBlank() {
					t.Fatalf("row %d after %d with %d cells", r.Num, last, len(r.Cells))
				}
				last = r.Num
				for _, c := range r.Cells {
					if c.Kind == Number && (math.IsNaN(c.Num) || math.IsInf(c.Num, 0) || c.Text != strconv.FormatFloat(c.Num, 'f', -1, 64)) {
						t.Fatalf("number cell %+v", c)
					}
				}
				return nil
			})
			if err != nil && !errors.Is(err, ErrLegacyXLS) {
				t.Fatalf("unexpected error kind: %v", err)
			}
		}
	})
}

// BenchmarkOpenXLS30Hamlets: open a 30-hamlet Biểu 01 saved as .xls by
// LibreOffice and read every row; "xlsx" is the same form as .xlsx.
func BenchmarkOpenXLS30Hamlets(b *testing.B) {
	f := generatedXLS(b, "hamlets")["hamlets"]
	for _, bb := range []struct {
		name string
		data []byte
	}{{"xls", f.xls}, {"xlsx", f.xlsx}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bb.data)))
			for b.Loop() {
				book, err := Open("a", bb.data, DefaultLimits)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for _, s := range book.Sheets {
					if err := s.Rows(func(r Row) error { n++; return nil }); err != nil {
						b.Fatal(err)
					}
				}
				if n < 30 {
					b.Fatalf("%d rows", n)
				}
			}
		})
	}
}
