package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/xhht/xhht/pipeline/forms"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/validate"
)

// digestVersion starts every digested text: a change of what is digested
// changes it, so digests of two encodings never compare equal by chance.
const digestVersion = "xhht-data-v1"

// dataDigests is the receipt's data_sha256 (docs/COLUMNS.md): per form the
// upload carries, the SHA-256 of the data its lake rows hold, written as a
// canonical text:
//
//	xhht-data-v1\n
//	<form code>\t<report year>\t<commune code>\n
//	then per row, in the file's order: per field column of the form, in
//	lake column order, <field>=<value>\t, then ma_thon_source (hamlet
//	forms), then \n
//
// with values as written to the lake: counts in decimal, booleans
// true/false, scores in Go's shortest 'g' form, text Go-quoted, blank
// "null". It leaves out where and when the data came from (file name,
// format, sheet, row numbers, upload time, submission id) and the names
// taken from the register, so a file saved again, renamed, moved to another
// sheet or re-typed with the same numbers has the same digest, and any
// changed value (a number, a hamlet's name or code) gives another one.
//
// It is a function of the upload alone, like everything ingest writes: the
// lake stays a pure function of the uploads. Comparing it with the
// commune's other uploads ("không thay đổi") is the readers' job
// (review.EffectiveData, the reviews view, the roll-up, the portal).
func (s *lakeSchema) dataDigests(rc *receipt.Receipt, results []*validate.Result) map[string]string {
	out := map[string]string{}
	for _, vr := range results {
		if _, done := out[vr.Form.Code]; done {
			continue // one table per form (table.Find); never digest two
		}
		h := sha256.New()
		var b []byte
		b = append(b, digestVersion...)
		b = append(b, '\n')
		b = append(b, vr.Form.Code...)
		b = append(b, '\t')
		b = strconv.AppendInt(b, int64(rc.Year), 10)
		b = append(b, '\t')
		b = append(b, rc.CommuneCode...)
		b = append(b, '\n')
		var own []*forms.Field
		for _, fd := range s.fields {
			if vr.Form.Field(fd.Code) == fd {
				own = append(own, fd)
			}
		}
		for i, rec := range vr.Records {
			for _, fd := range own {
				b = append(b, fd.Code...)
				b = append(b, '=')
				v, ok := rec.Values[fd.Code]
				switch {
				case !ok || v.Null:
					b = append(b, "null"...)
				case fd.Type == forms.Count:
					b = strconv.AppendInt(b, v.Int, 10)
				case fd.Type == forms.Bool:
					b = strconv.AppendBool(b, v.Bool)
				case fd.Type == forms.Score:
					b = strconv.AppendFloat(b, v.Float, 'g', -1, 64)
				default:
					b = strconv.AppendQuote(b, v.Str)
				}
				b = append(b, '\t')
			}
			if vr.Form.Grain == "hamlet" && i < len(rc.Hamlets) {
				b = append(b, rc.Hamlets[i].CodeSource...)
			}
			b = append(b, '\n')
			h.Write(b)
			b = b[:0]
		}
		h.Write(b)
		out[vr.Form.Code] = hex.EncodeToString(h.Sum(nil))
	}
	return out
}
