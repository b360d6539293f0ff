package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/schemas"
)

// Who issues a report, to whom, and who signs it are data, not code: the
// body that signs differs between provinces (usually the Sở Giáo dục và
// Đào tạo; in some provinces the Ủy ban nhân dân or the Hội Khuyến học),
// and so do the signer and the addressees. They come from
//
//  1. schemas/issuers/issuers.json: "default", then the province's entry
//     in "provinces" (built into the binary);
//  2. the lake object config/issuers/province=<P>.json, which a province
//     puts there without a rebuild and which overrides the above.
//
// Each layer overrides only the fields it names; a report entry under
// "reports" ("12-15": {…}) merges the same way. See schemas/issuers/README.md.

// Signer is the signature block's right-hand side (Nghị định 30/2020/NĐ-CP,
// Phụ lục I, mục 7): the authority line ("KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN
// DÂN"; empty when the head signs in their own name), the signer's title
// and name. An empty name leaves the line to be written by hand.
type Signer struct {
	Authority string `json:"authority"`
	Title     string `json:"title"`
	Name      string `json:"name"`
}

// Addressees are one report's recipients: To are the "Kính gửi:" list,
// CC the further entries of "Nơi nhận:" after "- Như trên;", Archive what
// follows "- Lưu:" ("VT, GDTX": the clerical office and the drafting unit).
type Addressees struct {
	To      []string `json:"to"`
	CC      []string `json:"cc"`
	Archive string   `json:"archive"`
}

// Issuer is the resolved issuer of one province's report for one deadline,
// with the placeholders filled in.
type Issuer struct {
	Parent string // the governing body above the issuer ("ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN"), "" for none
	Name   string // the issuing body ("SỞ GIÁO DỤC VÀ ĐÀO TẠO")
	Symbol string // its abbreviation in the document number: "Số: …/BC-SGDĐT"
	Place  string // the place of the date line ("Thái Nguyên")
	Signer Signer
	Addressees
	Source string // where it came from, for logs and errors: "schemas/issuers", "config/issuers/province=19.json"
}

// issuerSpec is one layer of the issuer data, as written in JSON. Pointers
// tell "not given" (inherit) from "given empty".
type issuerSpec struct {
	Comment string                     `json:"_comment,omitempty"`
	Parent  *string                    `json:"parent,omitempty"`
	Name    *string                    `json:"name,omitempty"`
	Symbol  *string                    `json:"symbol,omitempty"`
	Place   *string                    `json:"place,omitempty"`
	Signer  *signerSpec                `json:"signer,omitempty"`
	Reports map[string]*addresseesSpec `json:"reports,omitempty"`
}

type signerSpec struct {
	Authority *string `json:"authority,omitempty"`
	Title     *string `json:"title,omitempty"`
	Name      *string `json:"name,omitempty"`
}

type addresseesSpec struct {
	To      *[]string `json:"to,omitempty"`
	CC      *[]string `json:"cc,omitempty"`
	Archive *string   `json:"archive,omitempty"`
}

// issuersFile is schemas/issuers/issuers.json.
type issuersFile struct {
	Comment   string                 `json:"_comment,omitempty"`
	Default   issuerSpec             `json:"default"`
	Provinces map[string]*issuerSpec `json:"provinces"`
}

// issuerFields are the fields of an issuers file, for its errors.
const issuerFields = "parent, name, symbol, place, signer{authority, title, name}, reports{<hạn>: {to, cc, archive}}"

// maxIssuerFile bounds the override file: a few hundred bytes in practice.
const maxIssuerFile = 64 << 10

// decodeStrict decodes one JSON value, refusing unknown fields and
// anything after it, so a misspelt key is an error, not a silent default.
// allowed lists the fields the file may have, for the unknown-field error.
func decodeStrict(b []byte, v any, allowed string) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(b, err, allowed)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("có dữ liệu thừa sau đối tượng JSON (data after the JSON object)")
	}
	return nil
}

// jsonError says where a JSON error is, by line, for a person editing the file.
func jsonError(b []byte, err error, allowed string) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("JSON sai cú pháp ở dòng %d: %v (syntax error)", lineOf(b, se.Offset), err)
	case errors.As(err, &te):
		want := "một chuỗi \"…\""
		switch te.Type.Kind() {
		case reflect.Slice, reflect.Pointer:
			want = "một danh sách [\"…\", \"…\"]"
		case reflect.Struct, reflect.Map:
			want = "một đối tượng {…}"
		}
		return fmt.Errorf("trường %q ở dòng %d phải là %s, không phải %s (wrong type)", te.Field, lineOf(b, te.Offset), want, te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return fmt.Errorf("trường không có trong mẫu: %s (unknown field; allowed: %s)",
			strings.TrimPrefix(err.Error(), "json: unknown field "), allowed)
	}
	return err
}

func lineOf(b []byte, off int64) int {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	return 1 + bytes.Count(b[:off], []byte("\n"))
}

// mergeIssuer lays o over base: fields o gives replace base's.
func mergeIssuer(base, o issuerSpec) issuerSpec {
	set := func(dst **string, v *string) {
		if v != nil {
			*dst = v
		}
	}
	set(&base.Parent, o.Parent)
	set(&base.Name, o.Name)
	set(&base.Symbol, o.Symbol)
	set(&base.Place, o.Place)
	if o.Signer != nil {
		s := signerSpec{}
		if base.Signer != nil {
			s = *base.Signer
		}
		set(&s.Authority, o.Signer.Authority)
		set(&s.Title, o.Signer.Title)
		set(&s.Name, o.Signer.Name)
		base.Signer = &s
	}
	if len(o.Reports) > 0 {
		reps := make(map[string]*addresseesSpec, len(base.Reports)+len(o.Reports))
		for k, v := range base.Reports {
			reps[k] = v
		}
		for k, v := range o.Reports {
			if v == nil {
				continue
			}
			a := addresseesSpec{}
			if reps[k] != nil {
				a = *reps[k]
			}
			if v.To != nil {
				a.To = v.To
			}
			if v.CC != nil {
				a.CC = v.CC
			}
			set(&a.Archive, v.Archive)
			reps[k] = &a
		}
		base.Reports = reps
	}
	return base
}

// checkSpec rejects what no layer may say, whatever it is merged with:
// reports for deadlines that do not exist.
func checkSpec(s issuerSpec, dl *deadlines.Set) error {
	var errs []error
	for k := range s.Reports {
		if _, ok := dl.Get(k); !ok {
			var ids []string
			for _, d := range dl.All() {
				ids = append(ids, d.ID)
			}
			errs = append(errs, fmt.Errorf("reports: không có kỳ báo cáo %q (unknown deadline; want one of %s)", k, strings.Join(ids, ", ")))
		}
	}
	return errors.Join(errs...)
}

// loadIssuers reads schemas/issuers/issuers.json.
func loadIssuers(fsys fs.FS, dl *deadlines.Set) (*issuersFile, error) {
	b, err := fs.ReadFile(fsys, "issuers/issuers.json")
	if err != nil {
		return nil, fmt.Errorf("schemas/issuers: %w", err)
	}
	var f issuersFile
	if err := decodeStrict(b, &f, issuerFields); err != nil {
		return nil, fmt.Errorf("schemas/issuers/issuers.json: %w", err)
	}
	errs := []error{checkSpec(f.Default, dl)}
	for code, p := range f.Provinces {
		if p == nil {
			errs = append(errs, fmt.Errorf("provinces.%s: null", code))
			continue
		}
		if err := checkSpec(*p, dl); err != nil {
			errs = append(errs, fmt.Errorf("provinces.%s: %w", code, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("schemas/issuers/issuers.json: %w", err)
	}
	return &f, nil
}

// ResolveIssuer gives the issuer of a province's report for a deadline:
// the schemas default, the province's entry in schemas, then the lake's
// config/issuers/province=<P>.json (lake.IssuerKey) when store is not nil
// and has one. An override that cannot be read or gives an incomplete
// issuer is an error naming the file: a report must not go out in a wrong
// body's name.
func ResolveIssuer(ctx context.Context, store storage.Store, dl *deadlines.Set, prov *registry.Unit, deadline string) (Issuer, error) {
	if dl == nil {
		var err error
		if dl, err = deadlines.Load(); err != nil {
			return Issuer{}, err
		}
	}
	return resolveIssuer(ctx, schemas.FS, store, dl, prov, deadline)
}

func resolveIssuer(ctx context.Context, fsys fs.FS, store storage.Store, dl *deadlines.Set, prov *registry.Unit, deadline string) (Issuer, error) {
	f, err := loadIssuers(fsys, dl)
	if err != nil {
		return Issuer{}, err
	}
	spec, source := f.Default, "schemas/issuers/issuers.json"
	if p := f.Provinces[prov.Code]; p != nil {
		spec = mergeIssuer(spec, *p)
	}
	if store != nil {
		key := lake.IssuerKey(prov.Code)
		b, _, err := storage.GetAtMost(ctx, store, key, "", maxIssuerFile)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case errors.Is(err, storage.ErrTooLarge):
			return Issuer{}, fmt.Errorf("%s: tệp quá lớn (over %d KiB): đây không phải tệp cấu hình cơ quan ban hành", key, maxIssuerFile>>10)
		case err != nil:
			return Issuer{}, fmt.Errorf("%s: %w", key, err)
		default:
			var o issuerSpec
			if err := decodeStrict(b, &o, issuerFields); err != nil {
				return Issuer{}, fmt.Errorf("%s: %w", key, err)
			}
			if err := checkSpec(o, dl); err != nil {
				return Issuer{}, fmt.Errorf("%s: %w", key, err)
			}
			spec, source = mergeIssuer(spec, o), key
		}
	}
	is, err := spec.resolve(prov, deadline)
	if err != nil {
		return Issuer{}, fmt.Errorf("%s (tỉnh %s, báo cáo %s): %w", source, prov.Code, deadline, err)
	}
	is.Source = source
	return is, nil
}

// resolve fills the placeholders and checks that the issuer is complete.
func (s issuerSpec) resolve(prov *registry.Unit, deadline string) (Issuer, error) {
	fill := placeholders(prov)
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return fill.Replace(strings.TrimSpace(*p))
	}
	list := func(p *[]string) []string {
		if p == nil {
			return nil
		}
		var out []string
		for _, v := range *p {
			if v = fill.Replace(strings.TrimSpace(v)); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	is := Issuer{Parent: str(s.Parent), Name: str(s.Name), Symbol: str(s.Symbol), Place: str(s.Place)}
	if is.Place == "" {
		is.Place = prov.ShortName
	}
	if s.Signer != nil {
		is.Signer = Signer{Authority: str(s.Signer.Authority), Title: str(s.Signer.Title), Name: str(s.Signer.Name)}
	}
	if a := s.Reports[deadline]; a != nil {
		is.Addressees = Addressees{To: list(a.To), CC: list(a.CC), Archive: str(a.Archive)}
	}
	var errs []error
	need := func(v, field, what string) {
		if v == "" {
			errs = append(errs, fmt.Errorf("thiếu %s (%s is required)", what, field))
		}
	}
	need(is.Name, "name", "tên cơ quan ban hành")
	need(is.Symbol, "symbol", "chữ viết tắt tên cơ quan trong số ký hiệu")
	need(is.Signer.Title, "signer.title", "chức vụ người ký")
	need(is.Archive, "reports."+deadline+".archive", "nơi lưu (Lưu: VT, …)")
	if len(is.To) == 0 {
		errs = append(errs, fmt.Errorf("thiếu nơi nhận báo cáo %s (reports.%s.to is required)", deadline, deadline))
	}
	if strings.ContainsAny(is.Symbol, "/ ") {
		errs = append(errs, fmt.Errorf("symbol %q: chữ viết tắt không chứa dấu cách hay dấu / (the number is Số: …/BC-<symbol>)", is.Symbol))
	}
	if a := is.Signer.Authority; a != "" && !hasAuthorityPrefix(a) {
		errs = append(errs, fmt.Errorf("signer.authority %q phải bắt đầu bằng TM., KT., TL., TUQ. hoặc Q. (Nghị định 30/2020/NĐ-CP), hoặc để trống khi người đứng đầu ký", a))
	}
	for _, v := range append([]string{is.Parent, is.Name, is.Symbol, is.Place, is.Signer.Authority, is.Signer.Title, is.Signer.Name, is.Archive},
		append(append([]string{}, is.To...), is.CC...)...) {
		if utf8.RuneCountInString(v) > 200 || strings.IndexFunc(v, unicode.IsControl) >= 0 || !utf8.ValidString(v) {
			errs = append(errs, fmt.Errorf("%q: quá 200 ký tự hoặc có ký tự điều khiển (too long or has control characters)", v))
		}
	}
	return is, errors.Join(errs...)
}

func hasAuthorityPrefix(a string) bool {
	for _, p := range []string{"TM. ", "KT. ", "TL. ", "TUQ. ", "Q. "} {
		if strings.HasPrefix(a, p) {
			return true
		}
	}
	return false
}

// placeholders are what the issuer texts may contain: {PROVINCE} the
// province's name in capitals ("TỈNH THÁI NGUYÊN"), {province} in running
// text ("tỉnh Thái Nguyên"), {place} its short name ("Thái Nguyên").
func placeholders(prov *registry.Unit) *strings.Replacer {
	running := prov.Name
	if r, n := utf8.DecodeRuneInString(running); n > 0 {
		running = string(unicode.ToLower(r)) + running[n:]
	}
	return strings.NewReplacer("{PROVINCE}", strings.ToUpper(prov.Name), "{province}", running, "{place}", prov.ShortName)
}
