// Package contacts reads and checks a province's commune contacts file
// (issue 15): who receives each commune's reminders. The province uploads
// it to the lake as config/contacts/province=<P>.csv (lake.ContactsKey);
// the report function checks every new version and writes a Vietnamese
// receipt next to it (lake.ContactsReceiptKey), and reads the file again
// when it subscribes the addresses to the reminder topic.
//
// The file is a CSV (UTF-8, with or without BOM; separator "," or ";"),
// one row per (commune, address), header first:
//
//	ma_xa,ten_xa,email,dien_thoai
//	01840,Phường Đức Xuân,vanthu.ducxuan@example.gov.vn,0208 3855 123
//
// Headers are matched loosely ("Mã xã", "Thư điện tử", "Số điện thoại"
// also work); ten_xa and dien_thoai are optional columns. A commune may
// have several rows (several officials). Errors reject the whole file, as
// for any upload: a bad e-mail, a commune code not of the province in the
// register, a row listed twice, a bad phone number, a missing column, an
// empty or oversized file. Warnings: communes of the province with no
// contact, a name that is not the register's.
//
// Personal data: addresses and phone numbers are never put in an error
// message, a log line or an error value; the receipt carries them only in
// the problem's Value field, and the receipt is stored under the same
// protected prefix as the file.
package contacts

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/textnorm"
)

// Limits of a contacts file: a province has at most a few hundred
// communes, each with a few addresses.
const (
	MaxBytes = 1 << 20
	MaxRows  = 5000
)

// Contact is one row of an accepted file.
type Contact struct {
	Row     int    // 1-based line in the file (the header is line 1)
	Commune string // 5-digit code of the register
	Name    string // the register's name of the commune
	Email   string // lower-cased
	Phone   string // digits, as written without spaces and dots; "" none
}

// Problem codes, stable.
const (
	CodeTooLarge       = "too-large"
	CodeNotText        = "not-utf8"
	CodeBadCSV         = "bad-csv"
	CodeEmpty          = "empty-file"
	CodeMissingColumn  = "missing-column"
	CodeTooManyRows    = "too-many-rows"
	CodeBadEmail       = "bad-email"
	CodeBadPhone       = "bad-phone"
	CodeUnknownCommune = "unknown-commune"
	CodeOtherProvince  = "other-province"
	CodeDuplicate      = "duplicate"
	CodeNoContact      = "commune-without-contact" // warning
	CodeNameMismatch   = "name-mismatch"           // warning
)

// Problem is one finding, in Vietnamese (Message) and English.
type Problem struct {
	Code      string `json:"code"`
	Severity  string `json:"severity"` // error or warning
	Row       int    `json:"row,omitempty"`
	Column    string `json:"column,omitempty"`
	Value     string `json:"value,omitempty"` // the cell as written: personal data, never logged
	Message   string `json:"message"`
	MessageEN string `json:"message_en"`
}

// Receipt is the answer to one version of a contacts file.
type Receipt struct {
	Version       int       `json:"version"` // 1
	Province      string    `json:"province"`
	ProvinceName  string    `json:"province_name"`
	SourceKey     string    `json:"source_key"`
	SourceVersion string    `json:"source_version,omitempty"`
	ReceivedAt    time.Time `json:"received_at"`
	ID            string    `json:"id"`     // sha256 of key and version, 16 hex digits
	Status        string    `json:"status"` // accepted or rejected
	Contacts      int       `json:"contacts"`
	Communes      int       `json:"communes"` // communes with at least one contact
	Expected      int       `json:"expected"` // communes of the province in the register
	ErrorCount    int       `json:"error_count"`
	WarningCount  int       `json:"warning_count"`
	Problems      []Problem `json:"problems"`
}

// Statuses of a receipt.
const (
	Accepted = "accepted"
	Rejected = "rejected"
)

// ID is a contacts file version's id: from its key and version only, so
// checking it twice writes the same receipt.
func ID(key, version string) string {
	h := sha256.Sum256([]byte(key + "\x00" + version))
	return hex.EncodeToString(h[:8])
}

// columns and the folded headers that name them.
var headers = map[string][]string{
	"ma_xa":      {"ma xa", "ma", "ma don vi", "ma xa phuong", "commune code", "commune"},
	"ten_xa":     {"ten xa", "ten", "ten don vi", "ten xa phuong", "commune name"},
	"email":      {"email", "e mail", "thu dien tu", "dia chi thu dien tu", "dia chi email"},
	"dien_thoai": {"dien thoai", "so dien thoai", "sdt", "phone"},
}

var columnVI = map[string]string{"ma_xa": "mã xã", "ten_xa": "tên xã", "email": "thư điện tử", "dien_thoai": "điện thoại"}

// Check reads a contacts file of province for the register ver. The
// receipt lists every problem; contacts are returned only when the file
// is accepted. Check never fails: a bad file is a rejected receipt.
func Check(body []byte, province string, ver *registry.Version) (*Receipt, []Contact) {
	r := &Receipt{Version: 1, Province: province, Problems: []Problem{}}
	if p := ver.Provinces[province]; p != nil {
		r.ProvinceName = p.Name
	}
	communes := ver.CommunesOf(province)
	r.Expected = len(communes)
	cs := check(r, body, province, ver)
	for _, p := range r.Problems {
		if p.Severity == "error" {
			r.ErrorCount++
		} else {
			r.WarningCount++
		}
	}
	if r.ErrorCount > 0 {
		r.Status = Rejected
		return r, nil
	}
	r.Status = Accepted
	r.Contacts = len(cs)
	seen := map[string]bool{}
	for _, c := range cs {
		seen[c.Commune] = true
	}
	r.Communes = len(seen)
	return r, cs
}

func (r *Receipt) add(p Problem) {
	if p.Severity == "" {
		p.Severity = "error"
	}
	r.Problems = append(r.Problems, p)
}

func check(r *Receipt, body []byte, province string, ver *registry.Version) []Contact {
	if len(body) > MaxBytes {
		r.add(Problem{Code: CodeTooLarge, Message: fmt.Sprintf("Tệp quá lớn (%d byte); tối đa %d byte.", len(body), MaxBytes),
			MessageEN: fmt.Sprintf("file too large (%d bytes, limit %d)", len(body), MaxBytes)})
		return nil
	}
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(body) {
		r.add(Problem{Code: CodeNotText, Message: "Tệp không phải văn bản UTF-8. Trong Excel chọn Lưu thành → \"CSV UTF-8 (dấu phẩy phân cách)\".",
			MessageEN: "not UTF-8 text; save as CSV UTF-8"})
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		r.add(Problem{Code: CodeEmpty, Message: "Tệp rỗng: cần dòng tiêu đề ma_xa,ten_xa,email,dien_thoai và mỗi xã một dòng.", MessageEN: "empty file"})
		return nil
	}
	rd := csv.NewReader(bytes.NewReader(body))
	rd.Comma = separator(body)
	rd.FieldsPerRecord = -1
	rd.ReuseRecord = false
	head, err := rd.Read()
	if err != nil {
		r.add(Problem{Code: CodeBadCSV, Row: 1, Message: "Không đọc được dòng tiêu đề của tệp CSV.", MessageEN: "cannot read the CSV header: " + csvErr(err)})
		return nil
	}
	col := map[string]int{}
	for i, h := range head {
		f := textnorm.Fold(h)
		for name, alts := range headers {
			for _, a := range alts {
				if f == a || strings.ReplaceAll(f, " ", "_") == name {
					if _, dup := col[name]; !dup {
						col[name] = i
					}
				}
			}
		}
	}
	for _, need := range []string{"ma_xa", "email"} {
		if _, ok := col[need]; !ok {
			r.add(Problem{Code: CodeMissingColumn, Row: 1, Column: need,
				Message:   fmt.Sprintf("Thiếu cột %s (%s) ở dòng tiêu đề. Dòng tiêu đề cần: ma_xa,ten_xa,email,dien_thoai.", need, columnVI[need]),
				MessageEN: "missing column " + need})
		}
	}
	if r.ErrorCount > 0 || len(r.Problems) > 0 {
		return nil
	}
	cell := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(textnorm.Clean(rec[i]))
	}
	var out []Contact
	first := map[string]int{} // commune|email → row
	for line := 2; ; line++ {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			r.add(Problem{Code: CodeBadCSV, Row: line, Message: fmt.Sprintf("Dòng %d: không đọc được (dấu ngoặc kép không khớp?).", line), MessageEN: csvErr(err)})
			return nil
		}
		if line-1 > MaxRows {
			r.add(Problem{Code: CodeTooManyRows, Row: line, Message: fmt.Sprintf("Tệp có hơn %d dòng.", MaxRows), MessageEN: fmt.Sprintf("more than %d rows", MaxRows)})
			return nil
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // blank line
		}
		c := Contact{Row: line}
		ok := true
		code := cell(rec, "ma_xa")
		switch u := lookup(code, ver); {
		case u == nil:
			ok = false
			r.add(Problem{Code: CodeUnknownCommune, Row: line, Column: "ma_xa", Value: code,
				Message:   fmt.Sprintf("Dòng %d: mã xã %q không có trong danh mục đơn vị hành chính %s.", line, code, ver.Name),
				MessageEN: fmt.Sprintf("row %d: commune code %q is not in the %s register", line, code, ver.Name)})
		case u.ProvinceCode != province:
			ok = false
			r.add(Problem{Code: CodeOtherProvince, Row: line, Column: "ma_xa", Value: code,
				Message:   fmt.Sprintf("Dòng %d: xã %s (%s) không thuộc tỉnh này.", line, u.Code, u.Name),
				MessageEN: fmt.Sprintf("row %d: commune %s is not of province %s", line, u.Code, province)})
		default:
			c.Commune, c.Name = u.Code, u.Name
			if n := cell(rec, "ten_xa"); n != "" && textnorm.Fold(n) != textnorm.Fold(u.Name) && textnorm.Fold(n) != textnorm.Fold(u.ShortName) {
				r.add(Problem{Code: CodeNameMismatch, Severity: "warning", Row: line, Column: "ten_xa", Value: n,
					Message:   fmt.Sprintf("Dòng %d: tên xã khác với danh mục (mã %s là %s); dùng mã xã.", line, u.Code, u.Name),
					MessageEN: fmt.Sprintf("row %d: name differs from the register's (%s)", line, u.Name)})
			}
		}
		email := cell(rec, "email")
		if e, good := normEmail(email); !good {
			ok = false
			r.add(Problem{Code: CodeBadEmail, Row: line, Column: "email", Value: email,
				Message:   fmt.Sprintf("Dòng %d: địa chỉ thư điện tử không hợp lệ (cần dạng ten@ten-mien.vn, một địa chỉ mỗi dòng).", line),
				MessageEN: fmt.Sprintf("row %d: invalid e-mail address", line)})
		} else {
			c.Email = e
		}
		phone := cell(rec, "dien_thoai")
		if p, good := normPhone(phone); !good {
			ok = false
			r.add(Problem{Code: CodeBadPhone, Row: line, Column: "dien_thoai", Value: phone,
				Message:   fmt.Sprintf("Dòng %d: số điện thoại không hợp lệ (10 đến 11 chữ số, bắt đầu bằng 0 hoặc +84; để trống nếu không có).", line),
				MessageEN: fmt.Sprintf("row %d: invalid phone number", line)})
		} else {
			c.Phone = p
		}
		if !ok {
			continue
		}
		k := c.Commune + "|" + c.Email
		if prev, dup := first[k]; dup {
			r.add(Problem{Code: CodeDuplicate, Row: line, Column: "email",
				Message:   fmt.Sprintf("Dòng %d: trùng với dòng %d (cùng xã %s, cùng địa chỉ thư điện tử).", line, prev, c.Commune),
				MessageEN: fmt.Sprintf("row %d repeats row %d (same commune and e-mail)", line, prev)})
			continue
		}
		first[k] = line
		out = append(out, c)
	}
	if len(out) == 0 && len(r.Problems) == 0 {
		r.add(Problem{Code: CodeEmpty, Message: "Tệp chỉ có dòng tiêu đề, chưa có xã nào.", MessageEN: "no rows after the header"})
		return nil
	}
	have := map[string]bool{}
	for _, c := range out {
		have[c.Commune] = true
	}
	var without []string
	for _, u := range ver.CommunesOf(province) {
		if !have[u.Code] {
			without = append(without, u.Code)
		}
	}
	if len(without) > 0 {
		sort.Strings(without)
		shown := without
		if len(shown) > 20 {
			shown = append(append([]string{}, shown[:20]...), "…")
		}
		r.add(Problem{Code: CodeNoContact, Severity: "warning", Value: strings.Join(without, ","),
			Message:   fmt.Sprintf("%d xã chưa có địa chỉ liên hệ, sẽ không nhận được thư nhắc: %s.", len(without), strings.Join(shown, ", ")),
			MessageEN: fmt.Sprintf("%d communes have no contact", len(without))})
	}
	return out
}

// separator is ";" when the header has more semicolons than commas (Excel
// in a locale with a decimal comma), else ",".
func separator(body []byte) rune {
	line, _, _ := bytes.Cut(body, []byte("\n"))
	if bytes.Count(line, []byte(";")) > bytes.Count(line, []byte(",")) {
		return ';'
	}
	return ','
}

// csvErr is a CSV error without the record's content.
func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("line %d column %d: %v", pe.Line, pe.Column, pe.Err)
	}
	return "unreadable CSV"
}

// lookup finds a commune by code; Excel drops leading zeros, so "1840" is
// read as 01840.
func lookup(code string, ver *registry.Version) *registry.Unit {
	if code == "" || len(code) > 5 || strings.Trim(code, "0123456789") != "" {
		return nil
	}
	return ver.Communes[strings.Repeat("0", 5-len(code))+code]
}

// normEmail accepts one bare address (no display name, no list) with a
// dotted domain, and lower-cases it: SNS subscriptions compare endpoints
// as strings, and mail domains are case-insensitive.
func normEmail(s string) (string, bool) {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " ,;<>\"") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", false
	}
	return strings.ToLower(a.Address), true
}

// normPhone accepts "" or a Vietnamese number: 0 + 9-10 digits, or +84 +
// 9-10 digits, with spaces, dots and hyphens between digits.
func normPhone(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	d := strings.NewReplacer(" ", "", ".", "", "-", "", "(", "", ")", "").Replace(s)
	rest, intl := strings.CutPrefix(d, "+84")
	if !intl {
		var ok bool
		if rest, ok = strings.CutPrefix(d, "0"); !ok {
			return "", false
		}
	}
	if len(rest) < 9 || len(rest) > 10 || strings.Trim(rest, "0123456789") != "" {
		return "", false
	}
	return d, true
}
