package ingest

import (
	"github.com/xhht/xhht/pipeline/hamlet"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/textnorm"
	"github.com/xhht/xhht/pipeline/validate"
)

// assignHamletCodes fills ma_thon for Biểu 01 rows from the upload alone:
// the file's own code, else one derived from the hamlet's name. Nothing of
// other submissions is read, so the rows are a function of this upload
// only, whatever was processed before; the roll-up gives a row without a
// code the code its hamlet had in earlier uploads (package hamlet).
func assignHamletCodes(results []*validate.Result) []receipt.Hamlet {
	var vr *validate.Result
	for _, r := range results {
		if r.Form.Grain == "hamlet" {
			vr = r
		}
	}
	if vr == nil {
		return nil
	}
	out := make([]receipt.Hamlet, 0, len(vr.Records))
	for _, rec := range vr.Records {
		name := rec.Values["ten_thon"].Str
		h := receipt.Hamlet{Name: name}
		if !rec.Values["ma_thon"].Null {
			h.Code, h.CodeSource = rec.Values["ma_thon"].Str, hamlet.FromFile
		} else {
			h.Code, h.CodeSource = hamlet.DeriveKeyed(name, textnorm.NameKey(name)), hamlet.FromDerived
		}
		rec.Values["ma_thon"] = validate.Value{Str: h.Code}
		out = append(out, h)
	}
	return out
}
