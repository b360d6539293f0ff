package ingest_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/internal/fixture"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
	"github.com/xhht/xhht/pipeline/storage/storagetest"
)

const bucket = "xhht-uploads"

type env struct {
	p        *ingest.Processor
	uploads  *local.Store
	lake     *local.Store
	upDir    string
	lakeDir  string
	ctx      context.Context
	received time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{upDir: t.TempDir(), lakeDir: t.TempDir(), ctx: context.Background(),
		received: time.Date(2026, 11, 20, 3, 4, 5, 123456789, time.UTC)}
	e.uploads, e.lake = local.New(e.upDir), local.New(e.lakeDir)
	p, err := ingest.New(e.uploads, e.lake)
	if err != nil {
		t.Fatalf("ingest.New: %v", err)
	}
	e.p = p
	return e
}

// put stores an upload whose LastModified (the received time) is at.
func (e *env) put(t *testing.T, key string, data []byte, at time.Time) {
	t.Helper()
	if err := e.uploads.Put(e.ctx, key, data, ""); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	if err := os.Chtimes(filepath.Join(e.upDir, filepath.FromSlash(key)), at, at); err != nil {
		t.Fatal(err)
	}
}

func (e *env) process(t *testing.T, key string) *receipt.Receipt {
	t.Helper()
	rc, err := e.p.Process(e.ctx, ingest.Upload{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatalf("Process(%s): %v", key, err)
	}
	return rc
}

func (e *env) putProcess(t *testing.T, key string, data []byte, at time.Time) *receipt.Receipt {
	t.Helper()
	e.put(t, key, data, at)
	return e.process(t, key)
}

// objects returns every lake object: key → bytes.
func (e *env) objects(t *testing.T) map[string][]byte {
	t.Helper()
	return storagetest.Snapshot(t, e.lake)
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// expectedID recomputes the submission id from its definition: sha256 over
// length-prefixed bucket, key and version (for a local store: the MD5 ETag).
func expectedID(key string, data []byte) string {
	sum := md5.Sum(data)
	etag := hex.EncodeToString(sum[:])
	h := sha256.New()
	for _, s := range []string{bucket, key, etag} {
		h.Write([]byte(strings.Join([]string{itoa(len(s)), ":", s, ";"}, "")))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func codes(rc *receipt.Receipt) []string {
	out := []string{}
	for _, is := range rc.Errors {
		out = append(out, is.Code+"/"+is.Severity)
	}
	sort.Strings(out)
	return out
}

// accepted01 is a clean Biểu 01 with one blank and one "0" cell. The blank
// (D8, households registered, in a row whose other household counts are
// filled) gives the one blank-count warning.
func accepted01() [][]any {
	return [][]any{
		{"Thôn Nà Rì", 120, nil, 100, 8, 8, 6, "Có", "Có", 210, 150},
		{"Thôn Khuổi Cái", 95, 90, "0", 5, 5, 4, "Có", "Không", 170, 100},
		{"Thôn Pác Chợ", 150, 140, 120, 10, 9, 7, "Không", "Không", 260, 130},
	}
}

func sheet02(year int, cols []fixture.Col, row []any) *fixture.Grid {
	return fixture.Form{Sheet: "Biểu 02", Cols: cols, Rows: [][]any{row}, NoTotals: true,
		Title: []string{"BIỂU 02: KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP CẤP XÃ", "NĂM " + itoa(year)}}.Build().G
}

func workbook0102(t *testing.T) []byte {
	return fixture.XLSX(t, fixture.Form{Rows: accepted01()}.Build().G, sheet02(2026, fixture.Cols02, fixture.Row02()))
}

func TestBadKeys(t *testing.T) {
	data := workbook0102(t)
	tests := []string{
		"19/01864/bao-cao.xlsx",
		"2026/19/01864",
		"2026/019/01864/bao-cao.xlsx",
		"2026/19/1864/bao-cao.xlsx",
		"2026/19/01864/thu-muc/bao-cao.xlsx",
		"nam-2026/19/01864/bao-cao.xlsx",
		"2013/19/01864/bao-cao.xlsx", // before the first reporting year
		"2028/19/01864/bao-cao.xlsx", // beyond the year after the upload (2026)
	}
	for _, key := range tests {
		t.Run(key, func(t *testing.T) {
			e := newEnv(t)
			rc := e.putProcess(t, key, data, e.received)
			if rc.Status != receipt.Rejected || !reflect.DeepEqual(codes(rc), []string{"bad-key/error"}) {
				t.Fatalf("receipt %s %v, want rejected [bad-key/error]", rc.Status, codes(rc))
			}
			if rc.Errors[0].Value != key || !strings.Contains(rc.Errors[0].Message, key) {
				t.Errorf("issue %+v should carry the key", rc.Errors[0])
			}
			id := expectedID(key, data)
			if rc.SubmissionID != id {
				t.Errorf("id %s, want %s", rc.SubmissionID, id)
			}
			objs := e.objects(t)
			if want := []string{"receipts-unplaced/" + id + ".json"}; !reflect.DeepEqual(keys(objs), want) {
				t.Fatalf("lake = %v, want %v", keys(objs), want)
			}
			var stored receipt.Receipt
			if err := json.Unmarshal(objs["receipts-unplaced/"+id+".json"], &stored); err != nil {
				t.Fatal(err)
			}
			if stored.Status != receipt.Rejected || stored.SourceKey != key || stored.Output != "" || stored.Year != 0 {
				t.Errorf("stored receipt %+v", stored)
			}
		})
	}
}

func TestYearBoundsAccepted(t *testing.T) {
	tests := []struct {
		key  string
		reg  string
		name string
	}{
		{"2014/06/01864/bao-cao.xlsx", "pre2025", "Xã Bộc Bố"},
		{"2027/19/01864/bao-cao.xlsx", "2026-04", "Xã Bằng Thành"}, // the year after the upload
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			e := newEnv(t)
			y := tt.key[:4]
			title := []string{"BIỂU 01", "NĂM " + y}
			data := fixture.XLSX(t, fixture.Form{Title: title, Rows: accepted01()}.Build().G)
			rc := e.putProcess(t, tt.key, data, e.received)
			if rc.Status != receipt.Accepted || rc.Registry != tt.reg || rc.CommuneName != tt.name {
				t.Errorf("receipt %s %v, registry %s, commune %s", rc.Status, codes(rc), rc.Registry, rc.CommuneName)
			}
		})
	}
}

func TestUnknownCommuneAndProvince(t *testing.T) {
	tests := []struct {
		name     string
		key      string
		code     string
		value    string
		mentions []string
	}{
		{"pre-2025 code in 2026 names its successor", "2026/19/05440/bao-cao.xlsx", "unknown-commune", "05440", []string{"05443", "Phường Phan Đình Phùng"}},
		{"unknown code before 2025", "2024/19/99999/bao-cao.xlsx", "unknown-commune", "99999", []string{"99999"}},
		{"commune in another province", "2026/01/01864/bao-cao.xlsx", "province-mismatch", "01", []string{"Xã Bằng Thành", "Tỉnh Thái Nguyên"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			data := workbook0102(t)
			rc := e.putProcess(t, tt.key, data, e.received)
			if rc.Status != receipt.Rejected || !reflect.DeepEqual(codes(rc), []string{tt.code + "/error"}) {
				t.Fatalf("receipt %s %v, want [%s/error]", rc.Status, codes(rc), tt.code)
			}
			is := rc.Errors[0]
			if is.Value != tt.value {
				t.Errorf("value %q, want %q", is.Value, tt.value)
			}
			for _, m := range tt.mentions {
				if !strings.Contains(is.Message, m) {
					t.Errorf("message %q does not mention %q", is.Message, m)
				}
			}
			if strings.HasPrefix(tt.name, "pre-2025") && !strings.Contains(is.MessageEN, "05443") {
				t.Errorf("English message %q does not mention 05443", is.MessageEN)
			}
			id := expectedID(tt.key, data)
			parts := strings.Split(tt.key, "/")
			want := []string{"receipts/year=" + parts[0] + "/province=" + parts[1] + "/commune=" + parts[2] + "/" + id + ".json"}
			if got := keys(e.objects(t)); !reflect.DeepEqual(got, want) {
				t.Errorf("lake = %v, want %v", got, want)
			}
		})
	}
}

// lineage is the documented order of the first columns of every
// submissions file (docs/COLUMNS.md).
var lineage = []string{
	"submission_id", "form", "form_version", "schema_version", "report_year", "registry_version",
	"province_code", "province_name", "district_code", "district_name", "commune_code", "commune_name",
	"source_bucket", "source_key", "source_version", "source_sheet", "source_row", "received_at", "ma_thon_source",
}

func readParquet(t *testing.T, b []byte) ([]string, []map[string]any, *parquet.File) {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	var names []string
	for _, fl := range f.Schema().Fields() {
		names = append(names, fl.Name())
	}
	r := parquet.NewGenericReader[map[string]any](bytes.NewReader(b), f.Schema())
	defer r.Close()
	rows := make([]map[string]any, f.NumRows())
	for i := range rows {
		rows[i] = map[string]any{}
	}
	n, err := r.Read(rows)
	if err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("Read: %v", err)
	}
	return names, rows[:n], f
}

func TestAcceptedUpload(t *testing.T) {
	e := newEnv(t)
	const key = "2026/19/01864/bao-cao-2026.xlsx"
	data := workbook0102(t)
	rc := e.putProcess(t, key, data, e.received)
	if rc.Status != receipt.Accepted || rc.ErrorCount != 0 || rc.WarningCount != 1 || rc.Errors[0].Code != receipt.BlankCount || rc.Errors[0].Cell != "D8" {
		t.Fatalf("receipt %s, errors %v; want accepted, one blank-count warning at D8", rc.Status, rc.Errors)
	}
	id := expectedID(key, data)
	partition := "year=2026/province=19/commune=01864/"
	out := "submissions/" + partition + id + ".parquet"
	objs := e.objects(t)
	if want := []string{"receipts/" + partition + id + ".json", out}; !reflect.DeepEqual(keys(objs), want) {
		t.Fatalf("lake = %v, want %v", keys(objs), want)
	}
	_, obj, err := e.uploads.Get(e.ctx, key, "")
	if err != nil {
		t.Fatal(err)
	}
	wantAt := e.received.Truncate(time.Microsecond)
	if !obj.LastModified.Truncate(time.Microsecond).Equal(wantAt) {
		t.Fatalf("fixture: LastModified %v", obj.LastModified)
	}

	// The receipt.
	var stored receipt.Receipt
	if err := json.Unmarshal(objs["receipts/"+partition+id+".json"], &stored); err != nil {
		t.Fatal(err)
	}
	got := struct {
		ID, Status, Form, FormVersion, Prov, ProvName, Commune, CommuneName, District, Registry, Format, Output, Source, Version string
		Forms                                                                                                                    []string
		Year, Rows                                                                                                               int
		At                                                                                                                       time.Time
	}{stored.SubmissionID, stored.Status, stored.Form, stored.FormVersion, stored.ProvinceCode, stored.ProvinceName, stored.CommuneCode,
		stored.CommuneName, stored.DistrictCode, stored.Registry, stored.Format, stored.Output, stored.SourceKey, stored.SourceVersion,
		stored.Forms, stored.Year, stored.Rows, stored.ReceivedAt}
	want := got
	want.ID, want.Status, want.Form, want.FormVersion = id, "accepted", "bieu01", "1"
	want.Prov, want.ProvName, want.Commune, want.CommuneName, want.District = "19", "Tỉnh Thái Nguyên", "01864", "Xã Bằng Thành", ""
	want.Registry, want.Format, want.Output, want.Source = "2026-04", "xlsx", out, key
	sum := md5.Sum(data)
	want.Version = hex.EncodeToString(sum[:])
	want.Forms, want.Year, want.Rows, want.At = []string{"bieu01", "bieu02"}, 2026, 3, wantAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("receipt =\n%+v\nwant\n%+v", got, want)
	}
	// Totals by hand: Biểu 01 sums, bool yes-counts, Biểu 02 values.
	wantTotals := map[string]int64{
		"ho_tong": 365, "ho_dang_ky": 230, "ho_dat": 220, "dong_ho_tong": 23, "dong_ho_dang_ky": 22, "dong_ho_dat": 17,
		"cong_dong_dang_ky": 2, "cong_dong_dat": 1, "lao_dong_tong": 640, "cong_dan_dat": 380,
		"don_vi_tong": 20, "don_vi_dang_ky": 18, "don_vi_dat": 15, "can_bo_tong": 120, "can_bo_cong_dan_dat": 90,
		"tthtcd_so_lop": 12, "tthtcd_luot_nguoi_hoc": 480, "tthtcd_ung_dung_cntt": 1, "hoi_vien_tong": 850, "hoi_vien_tap_huan": 300,
	}
	gotTotals := map[string]int64{}
	for k, n := range stored.Totals {
		if n == nil || !n.IsInt {
			t.Errorf("total %s = %+v", k, n)
			continue
		}
		gotTotals[k] = n.Int
	}
	if !reflect.DeepEqual(gotTotals, wantTotals) {
		t.Errorf("totals = %v\nwant     %v", gotTotals, wantTotals)
	}
	if mine, _ := rc.JSON(); !bytes.Equal(mine, objs["receipts/"+partition+id+".json"]) {
		t.Error("the stored receipt differs from the one returned")
	}

	// The Parquet file.
	names, rows, f := readParquet(t, objs[out])
	if len(names) < len(lineage) || !reflect.DeepEqual(names[:len(lineage)], lineage) {
		t.Errorf("first columns = %v\nwant %v", names, lineage)
	}
	for _, c := range []string{"ma_thon", "ten_thon", "ho_tong", "cong_dong_dat", "cong_dan_dat", "don_vi_tong", "cong_dong_xa_ket_qua",
		"cong_dong_xa_diem", "cong_dong_xa_xep_loai", "tthtcd_ung_dung_cntt", "hoi_vien_tap_huan"} {
		if !contains(names, c) {
			t.Errorf("no column %s", c)
		}
	}
	for _, c := range []string{"ma_xa", "ten_xa"} {
		if contains(names, c) {
			t.Errorf("identity column %s should not be stored (commune_code is it)", c)
		}
	}
	if v, ok := f.Lookup("xhht.submission_id"); !ok || v != id {
		t.Errorf("metadata xhht.submission_id = %q", v)
	}
	if len(rows) != 4 {
		t.Fatalf("%d Parquet rows, want 3 hamlets + 1 commune", len(rows))
	}
	micros := obj.LastModified.UnixMicro()
	common := map[string]any{
		"submission_id": id, "form_version": "1", "schema_version": "1.0.0", "report_year": int32(2026), "registry_version": "2026-04",
		"province_code": "19", "province_name": "Tỉnh Thái Nguyên", "district_code": nil, "district_name": nil,
		"commune_code": "01864", "commune_name": "Xã Bằng Thành", "source_bucket": bucket, "source_key": key,
		"source_version": want.Version, "received_at": micros,
	}
	wantRows := []map[string]any{
		{"form": "bieu01", "source_sheet": "Biểu 01", "source_row": int32(8), "ten_thon": "Thôn Nà Rì", "ma_thon_source": "derived",
			"ho_tong": int64(120), "ho_dang_ky": nil, "ho_dat": int64(100), "cong_dong_dang_ky": true, "cong_dong_dat": true, "don_vi_tong": nil},
		{"form": "bieu01", "source_sheet": "Biểu 01", "source_row": int32(9), "ten_thon": "Thôn Khuổi Cái", "ma_thon_source": "derived",
			"ho_tong": int64(95), "ho_dang_ky": int64(90), "ho_dat": int64(0), "cong_dong_dang_ky": true, "cong_dong_dat": false, "cong_dan_dat": int64(100)},
		{"form": "bieu01", "source_sheet": "Biểu 01", "source_row": int32(10), "ten_thon": "Thôn Pác Chợ", "ma_thon_source": "derived",
			"dong_ho_dat": int64(7), "cong_dong_dang_ky": false, "lao_dong_tong": int64(260), "hoi_vien_tong": nil},
		{"form": "bieu02", "source_sheet": "Biểu 02", "source_row": int32(6), "ten_thon": nil, "ma_thon": nil, "ma_thon_source": nil, "ho_tong": nil,
			"don_vi_tong": int64(20), "cong_dong_xa_ket_qua": "Mức độ 1", "tthtcd_xep_loai": "Khá", "tthtcd_ung_dung_cntt": true,
			"hoi_vien_tap_huan": int64(300), "cong_dong_xa_diem": nil, "cong_dong_xa_xep_loai": nil},
	}
	for i, w := range wantRows {
		for k, v := range common {
			w[k] = v
		}
		for k, v := range w {
			if got := rows[i][k]; !reflect.DeepEqual(got, v) {
				t.Errorf("row %d %s = %#v, want %#v", i, k, got, v)
			}
		}
	}
	// Derived hamlet code: slug of the name + first 3 bytes of sha256 of its
	// name key ("thôn nà rì" with tones moved to the word ends).
	sumNR := sha256.Sum256([]byte("thôn na2 ri2"))
	if got, want := rows[0]["ma_thon"], "thon-na-ri-"+hex.EncodeToString(sumNR[:3]); got != want {
		t.Errorf("ma_thon = %v, want %s", got, want)
	}
	wantHamlets := []receipt.Hamlet{{Code: "thon-na-ri-" + hex.EncodeToString(sumNR[:3]), Name: "Thôn Nà Rì", CodeSource: "derived"}}
	if len(stored.Hamlets) != 3 || !reflect.DeepEqual(stored.Hamlets[:1], wantHamlets) {
		t.Errorf("hamlets = %+v", stored.Hamlets)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestRejectedUploadWritesReceiptOnly(t *testing.T) {
	rows := accepted01()
	rows[0][3] = 130 // ho_dat 130 > ho_tong 120 (E8)
	e := newEnv(t)
	const key = "2026/19/01864/bao-cao.xlsx"
	data := fixture.XLSX(t, fixture.Form{Rows: rows, NoTotals: true}.Build().G)
	rc := e.putProcess(t, key, data, e.received)
	if rc.Status != receipt.Rejected || rc.Output != "" || rc.Hamlets != nil {
		t.Fatalf("receipt %s, output %q, hamlets %v", rc.Status, rc.Output, rc.Hamlets)
	}
	var cells []string
	for _, is := range rc.Errors {
		cells = append(cells, is.Code+"@"+is.Cell+"/"+is.Severity)
	}
	if want := []string{"blank-count@D8/warning", "constraint-error@E8/error"}; !reflect.DeepEqual(cells, want) {
		t.Errorf("issues = %v, want %v", cells, want)
	}
	objs := e.objects(t)
	if want := []string{"receipts/year=2026/province=19/commune=01864/" + expectedID(key, data) + ".json"}; !reflect.DeepEqual(keys(objs), want) {
		t.Errorf("lake = %v, want %v", keys(objs), want)
	}
}

func TestFileProblems(t *testing.T) {
	xls := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1000)...)
	unrelated := []byte("Họ và tên,Năm sinh\nNguyễn Văn An,1980\n")
	encrypted, err := os.ReadFile("../workbook/testdata/xls/encrypted.xls") // made by LibreOffice with a password
	if err != nil {
		t.Fatal(err)
	}
	dup := fixture.XLSX(t, fixture.Form{Rows: accepted01()}.Build().G, fixture.Form{Sheet: "Bản sao", Rows: accepted01()}.Build().G)
	tests := []struct {
		name  string
		file  string
		data  []byte
		limit int64
		want  []string
		state string
	}{
		{"no known text encoding", "a.csv", []byte("T\xean th\xf4n;\x81\x8d\x90 h\xf4\xf2\n"), 0, []string{"unreadable-file/error"}, receipt.Rejected},
		{"Excel 97-2003 that is not a workbook", "a.xls", xls, 0, []string{"legacy-format/error"}, receipt.Rejected},
		{"password to open", "a.xls", encrypted, 0, []string{"encrypted-file/error"}, receipt.Rejected},
		{"too large", "a.xlsx", workbook0102(t), 1000, []string{"file-too-large/error"}, receipt.Rejected},
		{"truncated xlsx", "a.xlsx", workbook0102(t)[:500], 0, []string{"unreadable-file/error"}, receipt.Rejected},
		{"no form in the file", "a.csv", unrelated, 0, []string{"form-not-found/error"}, receipt.Rejected},
		{"the form twice: a warning", "a.xlsx", dup, 0, []string{"blank-count/warning", "duplicate-form/warning"}, receipt.Accepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.limit > 0 {
				e.p.Limits.MaxBytes = tt.limit
			}
			rc := e.putProcess(t, "2026/19/01864/"+tt.file, tt.data, e.received)
			if rc.Status != tt.state || !reflect.DeepEqual(codes(rc), tt.want) {
				t.Errorf("receipt %s %v, want %s %v", rc.Status, codes(rc), tt.state, tt.want)
			}
			for _, is := range rc.Errors {
				if is.Message == "" || is.MessageEN == "" {
					t.Errorf("empty message: %+v", is)
				}
			}
		})
	}
}

func TestProcessTwiceIsByteIdentical(t *testing.T) {
	bad := accepted01()
	bad[1][1] = "chín mươi lăm"
	tests := []struct {
		name string
		key  string
		data func(t *testing.T) []byte
	}{
		{"accepted", "2026/19/01864/bao-cao.xlsx", workbook0102},
		{"rejected", "2026/19/01864/bao-cao.xlsx", func(t *testing.T) []byte { return fixture.XLSX(t, fixture.Form{Rows: bad}.Build().G) }},
		{"bad key", "2026/19/bao-cao.xlsx", workbook0102},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			// An earlier accepted upload of the commune, so known codes are read.
			e.putProcess(t, "2026/19/01864/lan-dau.xlsx", workbook0102(t), e.received.Add(-48*time.Hour))
			e.put(t, tt.key, tt.data(t), e.received)
			e.process(t, tt.key)
			first := e.objects(t)
			time.Sleep(10 * time.Millisecond)
			e.process(t, tt.key)
			second := e.objects(t)
			if !reflect.DeepEqual(keys(first), keys(second)) {
				t.Fatalf("objects %v then %v", keys(first), keys(second))
			}
			for k, b := range first {
				if !bytes.Equal(b, second[k]) {
					t.Errorf("%s changed on reprocessing", k)
				}
			}
		})
	}
}

// TestSubmissionIDThroughCheck: the content and the receive time do not
// enter the id (lake.SubmissionID's own tests are in pipeline/lake).
func TestSubmissionIDThroughCheck(t *testing.T) {
	base := lake.SubmissionID("b", "2026/19/01864/a.xlsx", "v1")
	e := newEnv(t)
	u := ingest.Upload{Bucket: "b", Key: "2026/19/01864/a.xlsx"}
	r1, err1 := ingest.Check(e.ctx, e.p, u, "v1", e.received, workbook0102(t))
	r2, err2 := ingest.Check(e.ctx, e.p, u, "v1", e.received.Add(time.Hour), []byte("khác hẳn"))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if r1.Receipt.SubmissionID != base || r2.Receipt.SubmissionID != base {
		t.Errorf("Check ids %s, %s; want %s", r1.Receipt.SubmissionID, r2.Receipt.SubmissionID, base)
	}
	// A new version of the same key (local store: a new ETag) is a new submission.
	e.put(t, u.Key, workbook0102(t), e.received)
	a := e.process(t, u.Key)
	rows := accepted01()
	rows[0][1] = 121
	e.put(t, u.Key, fixture.XLSX(t, fixture.Form{Rows: rows}.Build().G, sheet02(2026, fixture.Cols02, fixture.Row02())), e.received)
	b := e.process(t, u.Key)
	if a.SubmissionID == b.SubmissionID {
		t.Error("a changed object kept its submission id")
	}
}

func TestHamletCodes(t *testing.T) {
	// The title block names the upload's commune (a title naming another
	// commune is a commune-mismatch).
	title := func(commune string) []string {
		tl := fixture.Title01(2026, commune)
		if commune == "01849" {
			tl[0] = "UBND XÃ PHONG QUANG"
		}
		return tl
	}
	withCodes := func(commune string, names []string, codes []string) []byte {
		cols := append([]fixture.Col{{Head: "STT"}, {Head: "Mã thôn"}}, fixture.Cols01[1:]...)
		var rows [][]any
		for i, n := range names {
			r := accepted01()[i%3]
			r[0] = n
			rows = append(rows, append([]any{codes[i]}, r...))
		}
		return fixture.XLSX(t, fixture.Form{Title: title(commune), Cols: cols, Rows: rows}.Build().G)
	}
	noCodes := func(commune string, names ...string) []byte {
		var rows [][]any
		for i, n := range names {
			r := accepted01()[i%3]
			r[0] = n
			rows = append(rows, r)
		}
		return fixture.XLSX(t, fixture.Form{Title: title(commune), Rows: rows}.Build().G)
	}
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	hamlets := func(rc *receipt.Receipt) map[string]receipt.Hamlet {
		m := map[string]receipt.Hamlet{}
		for _, h := range rc.Hamlets {
			m[h.Name] = h
		}
		return m
	}
	derived := func(slug, key string) string {
		s := sha256.Sum256([]byte(key))
		return slug + "-" + hex.EncodeToString(s[:3])
	}

	t.Run("derived from the name, the same in another upload", func(t *testing.T) {
		e := newEnv(t)
		a := e.putProcess(t, "2026/19/01864/a.xlsx", noCodes("01864", "Thôn Hòa Bình", "Thôn Đồng Tiến", "Thôn Dồng Tiến"), day(10))
		b := e.putProcess(t, "2026/19/01849/b.xlsx", noCodes("01849", "Thôn Hòa Bình"), day(11))
		if a.Status != receipt.Accepted || b.Status != receipt.Accepted {
			t.Fatalf("%v %v", a.Errors, b.Errors)
		}
		ha, hb := hamlets(a), hamlets(b)
		want := derived("thon-hoa-binh", "thôn hoa2 binh2")
		if ha["Thôn Hòa Bình"] != (receipt.Hamlet{Code: want, Name: "Thôn Hòa Bình", CodeSource: "derived"}) {
			t.Errorf("a: %+v, want code %s", ha["Thôn Hòa Bình"], want)
		}
		if hb["Thôn Hòa Bình"].Code != want || hb["Thôn Hòa Bình"].CodeSource != "derived" {
			t.Errorf("b (another commune): %+v, want derived %s", hb["Thôn Hòa Bình"], want)
		}
		// Names differing only by Đ/D get different codes.
		if ha["Thôn Đồng Tiến"].Code == ha["Thôn Dồng Tiến"].Code {
			t.Errorf("Đồng and Dồng share code %s", ha["Thôn Đồng Tiến"].Code)
		}
	})

	t.Run("from the upload alone, whatever is in the lake", func(t *testing.T) {
		e := newEnv(t)
		first := e.putProcess(t, "2026/19/01864/lan-1.xlsx", withCodes("01864", []string{"Thôn Hòa Bình", "Thôn Thủy Tiên", "Thôn Nà Rì"}, []string{"TN07", "TN08", "TN09"}), day(10))
		if first.Status != receipt.Accepted {
			t.Fatalf("first upload: %v", first.Errors)
		}
		if h := hamlets(first)["Thôn Hòa Bình"]; h.Code != "TN07" || h.CodeSource != "file" {
			t.Errorf("first upload: %+v, want TN07 from the file", h)
		}
		// Same hamlets, old tone placement, different case and spacing; one
		// new hamlet. Ingest does not look at the first upload: the codes
		// are derived from the names (the roll-up gives them TN07, TN08).
		second := e.putProcess(t, "2026/19/01864/lan-2.xlsx", noCodes("01864", "Thôn Hoà Bình", "thôn  Thuỷ Tiên", "Thôn Mới"), day(15))
		if second.Status != receipt.Accepted {
			t.Fatalf("second upload: %v", second.Errors)
		}
		h := hamlets(second)
		if got := h["Thôn Hoà Bình"]; got.Code != derived("thon-hoa-binh", "thôn hoa2 binh2") || got.CodeSource != "derived" {
			t.Errorf("Thôn Hoà Bình = %+v, want derived from the name", got)
		}
		if got := h["thôn Thuỷ Tiên"]; got.Code != derived("thon-thuy-tien", "thôn thuy3 tiên") || got.CodeSource != "derived" {
			t.Errorf("thôn Thuỷ Tiên = %+v, want derived from the name", got)
		}
		_, rows, _ := readParquet(t, e.objects(t)[second.Output])
		if len(rows) != 3 || rows[0]["ma_thon"] != h["Thôn Hoà Bình"].Code || rows[0]["ma_thon_source"] != "derived" {
			t.Errorf("parquet rows: %v", rows)
		}
		// The same upload into a lake without the first one writes the same
		// bytes: nothing of other submissions is read.
		alone := newEnv(t)
		alone.put(t, "2026/19/01864/lan-2.xlsx", noCodes("01864", "Thôn Hoà Bình", "thôn  Thuỷ Tiên", "Thôn Mới"), day(15))
		alone.process(t, "2026/19/01864/lan-2.xlsx")
		objs, aloneObjs := e.objects(t), alone.objects(t)
		for k, b := range aloneObjs {
			if !bytes.Equal(b, objs[k]) {
				t.Errorf("%s differs with and without the earlier upload in the lake", k)
			}
		}
		if len(aloneObjs) != 2 {
			t.Errorf("%d objects, want the Parquet file and the receipt", len(aloneObjs))
		}
	})

	t.Run("rejected and other communes' receipts teach nothing", func(t *testing.T) {
		e := newEnv(t)
		bad := withCodes("01864", []string{"Thôn Hòa Bình", "Thôn Hòa Bình", "Thôn Nà Rì"}, []string{"X1", "X2", "X3"}) // duplicate name: rejected
		if rc := e.putProcess(t, "2026/19/01864/sai.xlsx", bad, day(3)); rc.Status != receipt.Rejected {
			t.Fatalf("fixture: %s", rc.Status)
		}
		if rc := e.putProcess(t, "2026/19/01849/khac.xlsx", withCodes("01849", []string{"Thôn Hòa Bình"}, []string{"PQ01"}), day(4)); rc.Status != receipt.Accepted {
			t.Fatalf("fixture: other commune %s %v", rc.Status, rc.Errors)
		}
		rc := e.putProcess(t, "2026/19/01864/dung.xlsx", noCodes("01864", "Thôn Hòa Bình"), day(6))
		if got := hamlets(rc)["Thôn Hòa Bình"]; got.CodeSource != "derived" {
			t.Errorf("got %+v, want derived", got)
		}
	})
}

// The receipt's main form is Biểu 01 whenever it was read, whatever the
// order of the sheets.
func TestMainFormIsBieu01(t *testing.T) {
	e := newEnv(t)
	data := fixture.XLSX(t, sheet02(2026, fixture.Cols02, fixture.Row02()), fixture.Form{Rows: accepted01()}.Build().G)
	rc := e.putProcess(t, "2026/19/01864/a.xlsx", data, e.received)
	if rc.Status != receipt.Accepted {
		t.Fatalf("%v", rc.Errors)
	}
	if rc.Form != "bieu01" || rc.Rows != 3 {
		t.Errorf("form %q rows %d, want bieu01 with 3 hamlet rows (forms read: %v)", rc.Form, rc.Rows, rc.Forms)
	}
}

func TestBieu02Only(t *testing.T) {
	e := newEnv(t)
	rc := e.putProcess(t, "2026/19/01864/bieu02.xlsx", fixture.XLSX(t, sheet02(2026, fixture.Cols02, fixture.Row02())), e.received)
	if rc.Status != receipt.Accepted || rc.Form != "bieu02" || rc.Rows != 0 || rc.Hamlets != nil {
		t.Fatalf("receipt %s form %s rows %d hamlets %v: %v", rc.Status, rc.Form, rc.Rows, rc.Hamlets, rc.Errors)
	}
	_, rows, _ := readParquet(t, e.objects(t)[rc.Output])
	if len(rows) != 1 || rows[0]["form"] != "bieu02" || rows[0]["don_vi_dat"] != int64(15) || rows[0]["ma_thon_source"] != nil {
		t.Errorf("rows = %v", rows)
	}
}

func TestPre2025Upload(t *testing.T) {
	e := newEnv(t)
	const key = "2023/19/05440/bao-cao.xlsx"
	cols := append([]fixture.Col{}, fixture.Cols02...)
	cols[7] = fixture.Col{Group: fixture.GroupXa, Head: "Điểm đánh giá (TT 44/2014)"}
	row := fixture.Row02()
	row[0] = "Phường Hoàng Văn Thụ"
	row[6] = "69,5"
	// The ward's own title: the fixture's "UBND XÃ BẰNG THÀNH" names a
	// commune of Bắc Kạn in the pre-2025 register (commune-mismatch).
	title := fixture.Title01(2023, "05440")
	title[0] = "UBND PHƯỜNG HOÀNG VĂN THỤ"
	data := fixture.XLSX(t, fixture.Form{Title: title, Rows: accepted01()}.Build().G, sheet02(2023, cols, row))
	rc := e.putProcess(t, key, data, e.received)
	if rc.Status != receipt.Accepted {
		t.Fatalf("%v", rc.Errors)
	}
	if rc.Registry != "pre2025" || rc.DistrictCode != "164" || rc.DistrictName != "Thành phố Thái Nguyên" || rc.CommuneName != "Phường Hoàng Văn Thụ" {
		t.Errorf("receipt register %s district %s %s commune %s", rc.Registry, rc.DistrictCode, rc.DistrictName, rc.CommuneName)
	}
	if want := "submissions/year=2023/province=19/commune=05440/" + expectedID(key, data) + ".parquet"; rc.Output != want {
		t.Errorf("output %s, want %s", rc.Output, want)
	}
	_, rows, _ := readParquet(t, e.objects(t)[rc.Output])
	if len(rows) != 4 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, r := range rows {
		if r["district_code"] != "164" || r["district_name"] != "Thành phố Thái Nguyên" || r["report_year"] != int32(2023) || r["registry_version"] != "pre2025" {
			t.Errorf("row %d lineage: %v", i, r)
		}
	}
	c := rows[3]
	if c["cong_dong_xa_diem"] != 69.5 || c["cong_dong_xa_xep_loai"] != "Trung bình" || c["cong_dong_xa_ket_qua"] != nil {
		t.Errorf("TT 44 columns: diem %v xep_loai %v ket_qua %v", c["cong_dong_xa_diem"], c["cong_dong_xa_xep_loai"], c["cong_dong_xa_ket_qua"])
	}
}

func TestCSVUpload(t *testing.T) {
	e := newEnv(t)
	rows := accepted01()
	rows[0][1] = "1.120" // 1120 households, Vietnamese thousands
	lay := fixture.Form{Rows: rows}.Build()
	lay.G.Put(lay.TotalsRow, 3, "1.365")
	data := fixture.CSV(t, lay.G, ';', true)
	rc := e.putProcess(t, "2026/19/01864/bieu01.csv", data, e.received)
	if rc.Status != receipt.Accepted || rc.Format != "csv" {
		t.Fatalf("receipt %s %s: %v", rc.Status, rc.Format, rc.Errors)
	}
	if n := rc.Totals["ho_tong"]; n == nil || n.Int != 1365 {
		t.Errorf("ho_tong total %+v, want 1365", n)
	}
	if n := rc.Totals["ho_dang_ky"]; n == nil || n.Int != 230 {
		t.Errorf("ho_dang_ky total %+v, want 230 (blank is not 0)", n)
	}
}

func TestProcessMissingUpload(t *testing.T) {
	e := newEnv(t)
	_, err := e.p.Process(e.ctx, ingest.Upload{Bucket: bucket, Key: "2026/19/01864/khong-co.xlsx"})
	if !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("error %v, want ErrNotFound", err)
	}
	if objs := e.objects(t); len(objs) != 0 {
		t.Errorf("lake = %v, want nothing written", keys(objs))
	}
}

// An unfilled Biểu 02 beside a filled Biểu 01 does not hold the hamlets
// back; a file with nothing filled in is refused.
func TestUnfilledBieu02(t *testing.T) {
	empty02 := fixture.Form{Sheet: "Biểu 02", Cols: fixture.Cols02, NoTotals: true, Title: []string{"BIỂU 02", "NĂM 2026"}}.Build().G
	tests := []struct {
		name   string
		sheets []*fixture.Grid
		status string
		codes  []string
		forms  []string
		rows   int
	}{
		{"with a filled Biểu 01", []*fixture.Grid{fixture.Form{Rows: accepted01()}.Build().G, empty02}, receipt.Accepted, []string{"blank-count/warning", "empty-table/warning"}, []string{"bieu01"}, 3},
		{"alone", []*fixture.Grid{empty02}, receipt.Rejected, []string{"empty-table/error", "empty-table/warning"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			rc := e.putProcess(t, "2026/19/01864/a.xlsx", fixture.XLSX(t, tt.sheets...), e.received)
			if rc.Status != tt.status || !reflect.DeepEqual(codes(rc), tt.codes) || !reflect.DeepEqual(rc.Forms, tt.forms) {
				t.Fatalf("receipt %s %v forms %v; want %s %v %v", rc.Status, codes(rc), rc.Forms, tt.status, tt.codes, tt.forms)
			}
			if tt.status != receipt.Accepted {
				if rc.Output != "" {
					t.Errorf("output %s for a rejected file", rc.Output)
				}
				return
			}
			_, rows, _ := readParquet(t, e.objects(t)[rc.Output])
			if len(rows) != tt.rows {
				t.Errorf("%d Parquet rows, want %d", len(rows), tt.rows)
			}
			for _, r := range rows {
				if r["form"] != "bieu01" {
					t.Errorf("row of form %v", r["form"])
				}
			}
		})
	}
}

// writeOnlyLake is a lake that can only be written: listing or reading it
// fails (S3 throttling, say). Ingest reads nothing of the lake (issue 14),
// so processing does not notice.
type writeOnlyLake struct{ storage.Store }

func (writeOnlyLake) List(context.Context, string) ([]storage.Object, error) {
	return nil, errors.New("SlowDown: please reduce your request rate")
}

func (writeOnlyLake) Get(context.Context, string, string) ([]byte, storage.Object, error) {
	return nil, storage.Object{}, errors.New("SlowDown: please reduce your request rate")
}

// An upload's outputs are a function of the upload only: with earlier
// uploads of the commune in the lake, or with a lake that cannot be read
// at all, it writes the same bytes.
func TestIngestReadsNothingOfTheLake(t *testing.T) {
	const key = "2026/19/01864/a.xlsx"
	with := newEnv(t)
	// The day before, the same hamlets with codes (before issue 14 the
	// second upload took them).
	cols := append([]fixture.Col{{Head: "STT"}, {Head: "Mã thôn"}}, fixture.Cols01[1:]...)
	var rows [][]any
	for i, r := range accepted01() {
		rows = append(rows, append([]any{"T0" + itoa(i+1)}, r...))
	}
	earlier := with.putProcess(t, "2026/19/01864/truoc.xlsx", fixture.XLSX(t, fixture.Form{Cols: cols, Rows: rows}.Build().G), with.received.Add(-24*time.Hour))
	if earlier.Status != receipt.Accepted || earlier.Hamlets[0].Code != "T01" {
		t.Fatalf("fixture: %s %v %v", earlier.Status, earlier.Hamlets, earlier.Errors)
	}
	with.put(t, key, workbook0102(t), with.received)
	rc := with.process(t, key)
	if rc.Status != receipt.Accepted {
		t.Fatalf("%v", rc.Errors)
	}

	blind := newEnv(t)
	blind.p.Lake = writeOnlyLake{blind.lake}
	blind.put(t, key, workbook0102(t), blind.received)
	if _, err := blind.p.Process(blind.ctx, ingest.Upload{Bucket: bucket, Key: key}); err != nil {
		t.Fatalf("Process with a lake that cannot be read: %v", err)
	}
	got, all := blind.objects(t), with.objects(t)
	if len(got) != 2 {
		t.Fatalf("lake = %v, want the Parquet file and the receipt", keys(got))
	}
	for k, b := range got {
		if !bytes.Equal(b, all[k]) {
			t.Errorf("%s differs from the one written with an earlier upload in the lake", k)
		}
	}
}

// TestOriginalNameInReceipt: the original name the portal keeps as the
// upload's metadata is copied into the receipt, and only there: the lake
// keys and the Parquet rows are those of the same upload without it, and a
// receipt of an upload without metadata has no original_name at all.
func TestOriginalNameInReceipt(t *testing.T) {
	const key = "2026/19/01864/20261120-100405-a1b2c3-script-fdp.xlsx"
	original := "<script>alert(1)</script>\u202Efdp.xlsx ../../x"
	data := workbook0102(t)

	plain := newEnv(t)
	rcPlain := plain.putProcess(t, key, data, plain.received)
	if rcPlain.OriginalName != "" {
		t.Errorf("upload without metadata: original name %q", rcPlain.OriginalName)
	}

	named := newEnv(t)
	if err := named.uploads.PutMeta(named.ctx, key, data, "", storage.OriginalNameMeta(original)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(named.upDir, filepath.FromSlash(key)), named.received, named.received); err != nil {
		t.Fatal(err)
	}
	rc := named.process(t, key)
	if rc.OriginalName != original {
		t.Errorf("receipt original name %q, want %q", rc.OriginalName, original)
	}

	a, b := plain.objects(t), named.objects(t)
	if !reflect.DeepEqual(keys(a), keys(b)) {
		t.Fatalf("lake keys %v with the name, %v without", keys(b), keys(a))
	}
	wantLine, _ := json.Marshal(original)
	for k, bb := range b {
		if !strings.HasPrefix(k, "receipts/") {
			if !bytes.Equal(a[k], bb) {
				t.Errorf("%s differs when the upload has an original name", k)
			}
			continue
		}
		if bytes.Contains(a[k], []byte("original_name")) {
			t.Errorf("receipt without metadata mentions original_name:\n%s", a[k])
		}
		line := []byte("  \"original_name\": " + string(wantLine) + ",\n")
		if !bytes.Contains(bb, line) {
			t.Fatalf("receipt lacks %q:\n%s", line, bb)
		}
		if got := bytes.Replace(bb, line, nil, 1); !bytes.Equal(got, a[k]) {
			t.Errorf("receipt with the name is not the plain receipt plus one line:\n%s\nvs\n%s", got, a[k])
		}
	}
}

// TestOneMismatchPerFile: a file written for another commune and year says
// so on both sheets; the receipt tells each once, in words an official can
// act on.
func TestOneMismatchPerFile(t *testing.T) {
	e := newEnv(t)
	title := func(form string) []string {
		return []string{"UBND XÃ BẰNG THÀNH", form, "NĂM 2025", "Mã xã: 01864"}
	}
	data := fixture.XLSX(t,
		fixture.Form{Title: title("BIỂU 01: KẾT QUẢ XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP CẤP THÔN, TỔ DÂN PHỐ"), Rows: accepted01()}.Build().G,
		fixture.Form{Sheet: "Biểu 02", Cols: fixture.Cols02, Rows: [][]any{fixture.Row02()}, NoTotals: true,
			Title: title("BIỂU 02: KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP CẤP XÃ")}.Build().G)
	rc := e.putProcess(t, "2026/19/01849/bao-cao.xlsx", data, e.received)
	// (accepted01's blank D8 gives its blank-count warning.)
	if want := []string{"blank-count/warning", "commune-mismatch/error", "year-mismatch/error"}; !reflect.DeepEqual(codes(rc), want) {
		t.Fatalf("issues %v, want %v (one each, not one per sheet)", codes(rc), want)
	}
	want := map[string]string{
		receipt.CommuneMismatch: "Ô A4: tiêu đề ghi mã xã 01864 nhưng tệp được nộp cho Xã Phong Quang, mã 01849. Hãy nộp tệp vào đúng xã, hoặc sửa mã xã trong tệp.",
		receipt.YearMismatch:    "Ô A3: tiêu đề ghi năm 2025 nhưng tệp được nộp cho năm 2026. Hãy sửa năm trong tệp hoặc nộp vào đúng năm.",
	}
	for _, is := range rc.Errors {
		if is.Code == receipt.BlankCount {
			continue
		}
		if is.Message != want[is.Code] {
			t.Errorf("%s: %q\nwant %q", is.Code, is.Message, want[is.Code])
		}
	}
}

// TestSaveAsAdvice: a file the readers cannot take says how to save it as
// .xlsx in Excel and in LibreOffice.
func TestSaveAsAdvice(t *testing.T) {
	xls := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1000)...)
	for _, tt := range []struct{ file string }{{"a.xls"}, {"a.xlsx"}, {"a.ods"}} {
		t.Run(tt.file, func(t *testing.T) {
			e := newEnv(t)
			data := xls
			if tt.file != "a.xls" {
				data = workbook0102(t)[:500] // truncated
			}
			rc := e.putProcess(t, "2026/19/01864/"+tt.file, data, e.received)
			if len(rc.Errors) != 1 {
				t.Fatalf("issues %v", codes(rc))
			}
			m := rc.Errors[0].Message
			for _, s := range []string{".xlsx", "Excel: Tệp → Lưu thành…", "LibreOffice: Tệp → Lưu thành…", "Excel 2007-365"} {
				if !strings.Contains(m, s) {
					t.Errorf("message lacks %q: %s", s, m)
				}
			}
		})
	}
}
