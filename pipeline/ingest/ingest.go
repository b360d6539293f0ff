// Package ingest follows one upload from top to bottom: read the object,
// check the key against the register, find and validate the form tables,
// code the hamlets, and write the Parquet rows and the receipt to the lake.
// The Lambda function, the CLI and the tests all call Processor.Process.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"path"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/table"
	"github.com/xhht/xhht/pipeline/validate"
	"github.com/xhht/xhht/pipeline/vnnum"
	"github.com/xhht/xhht/pipeline/workbook"
)

// Upload names one uploaded object version.
type Upload struct {
	Bucket  string // the uploads bucket (or "local" for a directory)
	Key     string
	Version string // S3 version id; empty when the bucket is not versioned
}

// Processor holds what every upload needs. It is safe for concurrent use.
type Processor struct {
	Uploads  storage.Store
	Lake     storage.Store
	Forms    *forms.Set
	Registry *registry.Registry
	Keywords *table.Keywords
	Limits   workbook.Limits
	schema   *lakeSchema
	others   *sync.Map // communeNames by register version; shared by copies
}

// New loads the embedded schemas and register.
func New(uploads, lake storage.Store) (*Processor, error) {
	fs, err := forms.Load()
	if err != nil {
		return nil, err
	}
	reg, err := registry.Load()
	if err != nil {
		return nil, err
	}
	kw, err := table.LoadKeywords()
	if err != nil {
		return nil, err
	}
	p := &Processor{Uploads: uploads, Lake: lake, Forms: fs, Registry: reg, Keywords: kw, Limits: workbook.DefaultLimits, others: &sync.Map{}}
	if p.schema, err = newLakeSchema(fs); err != nil {
		return nil, err
	}
	return p, nil
}

// ErrUploadGone is wrapped by Process's error when the upload (or the
// version the event names) no longer exists. It is permanent: retrying the
// event cannot succeed, so callers log it and drop the event.
var ErrUploadGone = errors.New("upload no longer exists")

// Process handles one upload. An invalid file is not an error: it gets a
// rejected receipt. The error is for infrastructure failures (storage
// unreachable), which the caller should retry, or wraps ErrUploadGone.
func (p *Processor) Process(ctx context.Context, u Upload) (*receipt.Receipt, error) {
	data, obj, err := storage.GetAtMost(ctx, p.Uploads, u.Key, u.Version, p.Limits.MaxBytes)
	if errors.Is(err, storage.ErrNotFound) {
		// Deleted (or its version deleted) after the event was sent: no retry
		// can bring it back, and there is nothing to answer.
		return nil, fmt.Errorf("ingest: read upload %q version %q: %w: %w", u.Key, u.Version, ErrUploadGone, err)
	}
	if err != nil && !errors.Is(err, storage.ErrTooLarge) {
		return nil, fmt.Errorf("ingest: read upload %q: %w", u.Key, err)
	}
	version := u.Version
	if version == "" {
		version = obj.VersionID
	}
	if version == "" {
		version = obj.ETag
	}
	r, err := check(ctx, p, u, version, obj.LastModified, data, obj.Size)
	if err != nil {
		return nil, err
	}
	// The name as the official knows it, from the object's metadata (the
	// portal records it): shown with the receipt, never used for a key.
	r.Receipt.OriginalName = storage.OriginalName(obj)
	if err := p.write(ctx, r); err != nil {
		return nil, err
	}
	return r.Receipt, nil
}

// Result is a checked upload, before anything is written.
type Result struct {
	Receipt *receipt.Receipt
	key     lake.Key
	placed  bool // the key parsed, so lake partitions are known
	parquet []byte
}

// Check validates an upload's bytes without writing or reading anything
// else: the result is a function of the upload alone (bucket, key,
// version, upload time, bytes). The CLI's validate command uses it. The
// error is kept for infrastructure failures; a bad file is a rejected
// receipt, not an error.
func Check(ctx context.Context, p *Processor, u Upload, version string, receivedAt time.Time, data []byte) (res *Result, err error) {
	return check(ctx, p, u, version, receivedAt, data, int64(len(data)))
}

// check is Check for an upload of size bytes; data is nil when the upload
// was too large to read.
func check(ctx context.Context, p *Processor, u Upload, version string, receivedAt time.Time, data []byte, size int64) (res *Result, err error) {
	id := lake.SubmissionID(u.Bucket, u.Key, version)
	rc := &receipt.Receipt{
		SubmissionID: id, Bucket: u.Bucket, SourceKey: u.Key, SourceVersion: version,
		ReceivedAt: receivedAt.UTC().Truncate(time.Microsecond),
	}
	res = &Result{Receipt: rc}
	defer func() {
		sortIssues(rc.Errors)
		rc.Finish()
		if rc.Status != receipt.Accepted {
			// Totals are over accepted rows: a rejected file has none.
			res.parquet, rc.Totals, rc.DataSHA256 = nil, map[string]*receipt.Num{}, nil
		}
	}()
	// A file that trips a bug in a reader must still get an answer, not
	// crash the function and loop through retries into the dead-letter
	// queue. The stack goes to the log, not to the commune.
	defer func() {
		if v := recover(); v != nil {
			slog.Error("ingest: panic while checking an upload", "key", u.Key, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			rc.Add(receipt.Issue{Code: receipt.InternalError, Severity: receipt.SevError,
				Message:   "Lỗi hệ thống khi đọc tệp (không phải lỗi của xã). Vui lòng báo quản trị viên và gửi kèm tệp.",
				MessageEN: fmt.Sprintf("internal error while reading the file: %v", v)})
			err = nil
		}
	}()

	k, err := lake.ParseKey(u.Key)
	if err != nil {
		rc.Add(receipt.Issue{Code: receipt.BadKey, Severity: receipt.SevError, Value: u.Key,
			Message:   fmt.Sprintf("Đường dẫn tệp %q không đúng dạng <năm>/<mã tỉnh 2 số>/<mã xã 5 số>/<tên tệp>, ví dụ 2026/19/05443/bao-cao.xlsx.", u.Key),
			MessageEN: err.Error()})
		return res, nil
	}
	if last := receivedAt.Year() + 1; k.Year < lake.FirstYear || k.Year > last {
		rc.Add(receipt.Issue{Code: receipt.BadKey, Severity: receipt.SevError, Value: u.Key,
			Message:   fmt.Sprintf("Năm báo cáo %d trong đường dẫn tệp %q nằm ngoài khoảng %d–%d. Hãy nộp vào đúng năm báo cáo.", k.Year, u.Key, lake.FirstYear, last),
			MessageEN: fmt.Sprintf("reporting year %d in the key is outside %d–%d", k.Year, lake.FirstYear, last)})
		return res, nil
	}
	// A well-formed key places the receipt under its commune whatever
	// the file holds, so a too-large or empty upload counts as a commune's
	// rejected report, not as a missing one.
	res.key, res.placed = k, true
	rc.Year, rc.ProvinceCode, rc.CommuneCode = k.Year, k.Province, k.Commune
	if !p.checkUnit(rc, k) {
		return res, nil
	}
	if lim := p.Limits.MaxBytes; lim > 0 && size > lim {
		rc.Add(receipt.Issue{Code: receipt.FileTooLarge, Severity: receipt.SevError, Value: strconv.FormatInt(size, 10),
			Message: fmt.Sprintf("Tệp nặng %s MB, vượt giới hạn %s MB. Hãy xoá các trang tính không cần thiết (ảnh, danh sách hộ), lưu lại và nộp lại.",
				vnnum.Float(float64(size)/(1<<20), 1), vnnum.Float(float64(lim)/(1<<20), 1)),
			MessageEN: fmt.Sprintf("The file is %d bytes, over the limit of %d bytes.", size, lim)})
		return res, nil
	}
	if len(data) == 0 {
		rc.Add(receipt.Issue{Code: receipt.UnreadableFile, Severity: receipt.SevError,
			Message: "Tệp rỗng (0 byte). Hãy kiểm tra lại tệp và nộp lại.", MessageEN: "The file is empty (0 bytes)."})
		return res, nil
	}

	book, err := workbook.Open(path.Base(k.File), data, p.Limits)
	if err != nil {
		rc.Add(openIssue(err))
		return res, nil
	}
	rc.Format = book.Format
	for _, n := range book.Notes {
		rc.Add(receipt.Issue{Code: n.Code, Severity: receipt.SevWarning, Message: n.Message, MessageEN: n.MessageEN})
	}
	tables, issues, err := table.Find(book, p.Forms, p.Keywords)
	if err != nil {
		rc.Add(openIssue(err))
		return res, nil
	}
	for _, sh := range book.Sheets {
		for _, enc := range slices.Sorted(maps.Keys(sh.Converted)) {
			rc.Add(receipt.Issue{Code: workbook.NoteConverted, Severity: receipt.SevWarning, Sheet: sh.Name,
				Message:   fmt.Sprintf("%d ô chữ ở phông cũ %s trên trang %q đã được chuyển sang Unicode. Hãy kiểm tra lại tên thôn trong biên nhận.", sh.Converted[enc], strings.ToUpper(enc), sh.Name),
				MessageEN: fmt.Sprintf("%d cells in the legacy %s encoding on sheet %q were converted to Unicode.", sh.Converted[enc], enc, sh.Name)})
		}
	}
	for _, is := range issues {
		rc.Add(is)
	}
	if len(tables) == 0 {
		rc.Add(receipt.Issue{Code: receipt.FormNotFound, Severity: receipt.SevError,
			Message:   "Không tìm thấy biểu mẫu nào trong tệp: cần có dòng tiêu đề cột như \"Tên thôn\", \"Tổng số hộ\", \"Số hộ được công nhận\". Hãy dùng biểu mẫu tải từ hệ thống (xhht template).",
			MessageEN: "No form found: expected column headers such as \"Tên thôn\", \"Tổng số hộ\", \"Số hộ được công nhận\"."})
		return res, nil
	}
	// Forms in schema order (Biểu 01 first) whatever the sheet order.
	slices.SortStableFunc(tables, func(a, b *table.Table) int {
		return slices.Index(p.Forms.Forms, a.Form) - slices.Index(p.Forms.Forms, b.Form)
	})
	vctx := validate.Context{Year: k.Year, CommuneCode: k.Commune, CommuneName: rc.CommuneName,
		Communes: p.communeNames(k)}
	var results []*validate.Result
	once := map[[2]string]bool{}
	for _, t := range tables {
		vr := validate.Table(t, vctx)
		for _, is := range vr.Issues {
			// A file for another commune or year says so on every sheet
			// (each title, the "Mã xã" column): one error per code or
			// year written tells it. Their messages are "<where> ghi …"
			// with the same words after the place (validate).
			if is.Code == receipt.CommuneMismatch || is.Code == receipt.YearMismatch {
				_, what, _ := strings.Cut(is.Message, " ghi ")
				k := [2]string{is.Code, what}
				if once[k] {
					continue
				}
				once[k] = true
			}
			rc.Add(is)
		}
		if len(vr.Records) > 0 {
			results = append(results, vr)
			rc.Forms = append(rc.Forms, t.Form.Code)
		}
	}
	if len(results) == 0 {
		if rc.ErrorCount == 0 {
			rc.Add(receipt.Issue{Code: receipt.EmptyTable, Severity: receipt.SevError,
				Message: "Tệp không có dòng số liệu nào.", MessageEN: "The file has no data rows."})
		}
		return res, nil
	}
	first := results[0].Form // Biểu 01 when there is one
	rc.Form, rc.FormVersion, rc.SchemaVersion = first.Code, first.Version, first.SchemaVersion
	totals(rc, results)
	if rc.ErrorCount > 0 {
		return res, nil
	}
	rc.Hamlets = assignHamletCodes(results)
	b, err := p.schema.encode(rc, results)
	if err != nil {
		rc.Add(receipt.Issue{Code: receipt.InternalError, Severity: receipt.SevError,
			Message: "Lỗi hệ thống khi ghi dữ liệu; vui lòng báo quản trị viên.", MessageEN: err.Error()})
		return res, nil
	}
	res.parquet = b
	rc.DataSHA256 = p.schema.dataDigests(rc, results)
	return res, nil
}

// communeNames are the communes of the key's register by name
// (validate.Context.Communes), nationwide: a title may name a commune of
// another province. They are indexed once per register version and shared
// by copies of the Processor: folding every name of a register takes
// milliseconds (validate's BenchmarkCommuneNamesOf; 10,035 names before
// the reform, 3,321 after), a title check microseconds.
func (p *Processor) communeNames(k lake.Key) *table.CommuneNames {
	v := p.Registry.ForYear(k.Year)
	if v == nil {
		return nil
	}
	if p.others == nil {
		return validate.CommuneNamesOf(v)
	}
	if n, ok := p.others.Load(v); ok {
		return n.(*table.CommuneNames)
	}
	n, _ := p.others.LoadOrStore(v, validate.CommuneNamesOf(v))
	return n.(*table.CommuneNames)
}

// checkUnit checks the key's commune against the register of its year.
func (p *Processor) checkUnit(rc *receipt.Receipt, k lake.Key) bool {
	v := p.Registry.ForYear(k.Year)
	rc.Registry = v.Name
	if prov := v.Provinces[k.Province]; prov != nil {
		rc.ProvinceName = prov.Name // the key's province, whatever follows
	}
	c := v.Communes[k.Commune]
	if c == nil {
		vi := fmt.Sprintf("Mã xã %s không có trong danh mục đơn vị hành chính năm %d.", k.Commune, k.Year)
		en := fmt.Sprintf("Commune code %s is not in the %d administrative register (%s).", k.Commune, k.Year, v.Name)
		if hvi, hen := p.Registry.ReformHint(k.Commune, k.Year); hvi != "" {
			vi += " " + hvi + " Hãy nộp theo mã xã mới."
			en += " " + hen + " Upload under the new code."
		}
		rc.Add(receipt.Issue{Code: receipt.UnknownCommune, Severity: receipt.SevError, Value: k.Commune, Message: vi, MessageEN: en})
		return false
	}
	rc.CommuneName = c.Name
	if c.DistrictCode != "" {
		rc.DistrictCode = c.DistrictCode
		if d := v.Districts[c.DistrictCode]; d != nil {
			rc.DistrictName = d.Name
		}
	}
	if c.ProvinceCode != k.Province {
		// The names in the receipt describe the key; this commune is not in
		// the key's province, so its name is left out rather than printed
		// beside the wrong province ("Phường X, Thành phố Hà Nội").
		rc.CommuneName, rc.DistrictCode, rc.DistrictName = "", "", ""
		pn := c.ProvinceCode
		if prov := v.Provinces[c.ProvinceCode]; prov != nil {
			pn = prov.Name
		}
		rc.Add(receipt.Issue{Code: receipt.ProvinceMismatch, Severity: receipt.SevError, Value: k.Province,
			Message:   fmt.Sprintf("%s (mã %s) thuộc %s (mã %s), không thuộc tỉnh mã %s trong đường dẫn.", c.Name, c.Code, pn, c.ProvinceCode, k.Province),
			MessageEN: fmt.Sprintf("%s (%s) belongs to province %s, not %s as the key says.", c.Name, c.Code, c.ProvinceCode, k.Province)})
		return false
	}
	return true
}

// saveAsXLSX tells an official how to turn a file into one the readers
// take, in the menus of both office suites communes use.
const saveAsXLSX = "Hãy mở tệp rồi lưu thành .xlsx và nộp tệp mới. " +
	"Excel: Tệp → Lưu thành…, chọn kiểu «Sổ làm việc Excel (*.xlsx)». " +
	"LibreOffice: Tệp → Lưu thành…, chọn kiểu «Excel 2007-365 (.xlsx)», rồi chọn «Dùng định dạng Excel 2007-365!»."

func openIssue(err error) receipt.Issue {
	switch {
	case errors.Is(err, workbook.ErrEncrypted):
		return receipt.Issue{Code: receipt.EncryptedFile, Severity: receipt.SevError,
			Message:   "Tệp được đặt mật khẩu nên không đọc được. Hãy mở tệp, bỏ mật khẩu rồi lưu và nộp lại. Excel: Tệp → Thông tin → Bảo vệ sổ làm việc → Mã hoá bằng mật khẩu, xoá mật khẩu. LibreOffice: Tệp → Lưu thành…, bỏ chọn «Lưu với mật khẩu».",
			MessageEN: "The file is encrypted (password to open): remove the password and upload again."}
	case errors.Is(err, workbook.ErrTooLarge):
		return receipt.Issue{Code: receipt.FileTooLarge, Severity: receipt.SevError,
			Message:   "Tệp quá lớn để xử lý. Hãy xoá các trang tính không cần thiết (ảnh, danh sách hộ) và nộp lại.",
			MessageEN: "The file is too large: " + err.Error()}
	case errors.Is(err, workbook.ErrLegacyXLS):
		// An Excel 97-2003 file we cannot read exactly (Excel 95, a record
		// we do not decode, damage): never guess a number.
		return receipt.Issue{Code: receipt.LegacyFormat, Severity: receipt.SevError,
			Message:   "Không đọc được chính xác tệp Excel 97-2003 (.xls) này: phiên bản cũ hoặc nội dung chưa hỗ trợ. " + saveAsXLSX,
			MessageEN: "This Excel 97-2003 (.xls) file cannot be read exactly: save as .xlsx and upload again (" + err.Error() + ")."}
	default:
		return receipt.Issue{Code: receipt.UnreadableFile, Severity: receipt.SevError,
			Message:   "Không đọc được tệp. Hệ thống nhận tệp Excel (.xlsx, .xls), LibreOffice (.ods) hoặc CSV. " + saveAsXLSX,
			MessageEN: "The file cannot be read: " + err.Error()}
	}
}

// totals: per field, the sum over the hamlet rows (counts), the number of
// "yes" rows (booleans), or the value (Biểu 02). A field blank in every row
// has no total.
func totals(rc *receipt.Receipt, results []*validate.Result) {
	rc.Totals = map[string]*receipt.Num{}
	for _, vr := range results {
		if vr.Form.Grain == "hamlet" {
			rc.Rows += len(vr.Records)
		}
		for _, fd := range vr.Form.Fields {
			if fd.Type != forms.Count && fd.Type != forms.Bool && fd.Type != forms.Score {
				continue
			}
			var n *receipt.Num
			for _, rec := range vr.Records {
				v := rec.Values[fd.Code]
				if v.Null {
					continue
				}
				if n == nil {
					n = &receipt.Num{IsInt: fd.Type != forms.Score}
				}
				switch fd.Type {
				case forms.Count:
					n.Int += v.Int
				case forms.Bool:
					if v.Bool {
						n.Int++
					}
				case forms.Score:
					n.Float += v.Float
				}
			}
			if n != nil {
				rc.Totals[fd.Code] = n
			}
		}
	}
}

// write stores the Parquet file (if accepted) and then the receipt: a
// receipt that says accepted always has its rows in the lake.
func (p *Processor) write(ctx context.Context, r *Result) error {
	rc := r.Receipt
	if r.parquet != nil {
		rc.Output = lake.SubmissionKey(r.key, rc.SubmissionID)
		if err := p.Lake.Put(ctx, rc.Output, r.parquet, "application/vnd.apache.parquet"); err != nil {
			return fmt.Errorf("ingest: write rows: %w", err)
		}
	}
	b, err := rc.JSON()
	if err != nil {
		return err
	}
	key := lake.UnplacedReceiptKey(rc.SubmissionID)
	if r.placed {
		key = lake.ReceiptKey(r.key, rc.SubmissionID)
	}
	if err := p.Lake.Put(ctx, key, b, "application/json"); err != nil {
		return fmt.Errorf("ingest: write receipt: %w", err)
	}
	return nil
}

// sortIssues puts a receipt in reading order: problems with the whole file
// first, then sheet by sheet (in the order met), row by row, column by
// column. The sort is stable, so equal places keep the order found.
func sortIssues(issues []receipt.Issue) {
	sheets := map[string]int{}
	for _, is := range issues {
		if _, ok := sheets[is.Sheet]; !ok && is.Sheet != "" {
			sheets[is.Sheet] = len(sheets) + 1
		}
	}
	col := func(is receipt.Issue) int {
		if _, c, ok := workbook.ParseRef(is.Cell); ok {
			return c
		}
		return 0
	}
	slices.SortStableFunc(issues, func(a, b receipt.Issue) int {
		if d := sheets[a.Sheet] - sheets[b.Sheet]; d != 0 {
			return d
		}
		if d := a.Row - b.Row; d != 0 {
			return d
		}
		return col(a) - col(b)
	})
}
