package rolluptest

import (
	"time"

	"github.com/xhht/xhht/pipeline/forms"
)

// Totals are the expected roll-up values of one unit (district, province,
// nation), computed in plain Go over the winning submissions' rows.
type Totals struct {
	// Sums holds, per count field, the sum over the rows where it is not
	// null. A field null in every row (or with no rows at all) has no
	// entry: its sum is unknown, which SQL's SUM gives as NULL.
	Sums map[string]int64
	// Trues counts, per bool field, the rows where it is true.
	Trues map[string]int64
	// NullRows counts, per count or bool field, the rows of its form where
	// it is null. Every count and bool field has an entry (0 included).
	NullRows map[string]int64
	// Rows counts the winning rows per form code (bieu01: hamlets).
	Rows map[string]int64
	// Values counts, per enum field, the rows holding each value.
	Values map[string]map[string]int64
	// Units is the number of communes of the register in the unit, and
	// Reported, per form code, those with a winning submission of it.
	Units    int64
	Reported map[string]int64
	// Paired holds, per rate code of the forms, the rate's operands over
	// the rows that reported both, and how many rows did and did not.
	Paired map[string]*Paired
}

// Paired is one rate's operands over the rows that reported both its
// numerator and its denominator (Rows of them); Left rows left either
// blank.
type Paired struct {
	Num, Den, Rows, Left int64
}

func newTotals(set *forms.Set) *Totals {
	t := &Totals{Sums: map[string]int64{}, Trues: map[string]int64{}, NullRows: map[string]int64{}, Rows: map[string]int64{},
		Values: map[string]map[string]int64{}, Reported: map[string]int64{}, Paired: map[string]*Paired{}}
	for _, f := range set.Forms {
		t.Rows[f.Code], t.Reported[f.Code] = 0, 0
		for _, r := range f.Rates {
			t.Paired[r.Code] = &Paired{}
		}
		for _, fd := range f.Fields {
			if nullCounted(fd) {
				t.NullRows[fd.Code] = 0
			}
			if fd.Type == forms.Enum {
				t.Values[fd.Code] = map[string]int64{}
			}
			if fd.Type == forms.Bool {
				t.Trues[fd.Code] = 0
			}
		}
	}
	return t
}

// nullCounted tells whether a field's blanks are counted: every field
// with a value to add up or to count, not the hamlet's code and name.
func nullCounted(fd *forms.Field) bool {
	return fd.Type == forms.Count || fd.Type == forms.Bool || fd.Type == forms.Enum || fd.Type == forms.Score
}

// add counts one row of form f.
func (t *Totals) add(f *forms.Form, r row) {
	t.Rows[f.Code]++
	for _, fd := range f.Fields {
		if !nullCounted(fd) {
			continue
		}
		v, ok := r[fd.Code]
		if !ok {
			t.NullRows[fd.Code]++
			continue
		}
		switch fd.Type {
		case forms.Count:
			t.Sums[fd.Code] += v.(int64)
		case forms.Bool:
			if v.(bool) {
				t.Trues[fd.Code]++
			}
		case forms.Enum:
			t.Values[fd.Code][v.(string)]++
		}
	}
	for _, rt := range f.Rates {
		p := t.Paired[rt.Code]
		num, nok := rowOperand(f, r, rt.Numerator)
		den, dok := rowOperand(f, r, rt.Denominator)
		if !nok || !dok {
			p.Left++
			continue
		}
		p.Num, p.Den, p.Rows = p.Num+num, p.Den+den, p.Rows+1
	}
}

// rowOperand is what one row adds to a rate's numerator or denominator:
// 1 for the row count, 1 or 0 for a bool, the count itself; false when
// the row left the cell blank.
func rowOperand(f *forms.Form, r row, code string) (int64, bool) {
	if code == forms.RowsDenominator {
		return 1, true
	}
	v, ok := r[code]
	if !ok {
		return 0, false
	}
	if fd := f.Field(code); fd != nil && fd.Type == forms.Bool {
		if v.(bool) {
			return 1, true
		}
		return 0, true
	}
	return v.(int64), true
}

// Sum is a count field's sum and whether it is known.
func (t *Totals) Sum(field string) (int64, bool) {
	v, ok := t.Sums[field]
	return v, ok
}

// Hamlet-level names the roll-up gives to the Biểu 01 row count and the
// hamlets registered / recognised as learning communities.
const (
	ThonTong   = "thon_tong"
	ThonDangKy = "thon_dang_ky"
	ThonDat    = "thon_dat"
)

// Columns gives the expected value of every roll-up column these totals
// determine, by view column name: int64 for counts (nil when the sum is
// unknown), int64 for *_null_rows, thon_*, so_xa*, the rows of a bool
// field that are true (under the field's code, except the two hamlet
// booleans, which are thon_dang_ky and thon_dat) and the communes at
// each level of the commune assessment (xa_cdht_muc_do_1/2), and float64
// or nil for the ty_le_* rates of every rate the forms define (fractions
// 0–1, nil when the denominator is 0 or no row reported both operands),
// with their coverage (ty_le_*_tu_so, _mau_so, _so_dong, _so_dong_bo_qua,
// _mau_so_bo_qua). Rates are recomputed from the sums over the rows that
// reported both operands, never averaged, as the roll-up must.
func (t *Totals) Columns(set *forms.Set) map[string]any {
	cols := map[string]any{
		ThonTong:           t.hamlets(),
		ThonDangKy:         t.known("bieu01", "cong_dong_dang_ky", t.Trues["cong_dong_dang_ky"]),
		ThonDat:            t.known("bieu01", "cong_dong_dat", t.Trues["cong_dong_dat"]),
		"so_xa":            t.Units,
		"so_xa_bieu01":     t.Reported["bieu01"],
		"so_xa_bieu02":     t.Reported["bieu02"],
		"xa_cdht_muc_do_1": t.known("bieu02", "cong_dong_xa_ket_qua", t.Values["cong_dong_xa_ket_qua"]["Mức độ 1"]),
		"xa_cdht_muc_do_2": t.known("bieu02", "cong_dong_xa_ket_qua", t.Values["cong_dong_xa_ket_qua"]["Mức độ 2"]),
	}
	for _, f := range set.Forms {
		for _, fd := range f.Fields {
			if nullCounted(fd) {
				cols[fd.Code+"_null_rows"] = t.NullRows[fd.Code]
			}
			switch fd.Type {
			case forms.Count:
				if v, ok := t.Sums[fd.Code]; ok {
					cols[fd.Code] = v
				} else {
					cols[fd.Code] = nil
				}
			case forms.Bool:
				if f.Grain != "hamlet" {
					cols[fd.Code] = t.known(f.Code, fd.Code, t.Trues[fd.Code])
				}
			}
		}
		for _, r := range f.Rates {
			// The rate and its coverage: numerator and denominator over
			// the rows that reported both, never one over all rows and
			// the other over some.
			p := t.Paired[r.Code]
			cols[r.Code+"_so_dong"], cols[r.Code+"_so_dong_bo_qua"] = p.Rows, p.Left
			cols[r.Code], cols[r.Code+"_tu_so"], cols[r.Code+"_mau_so"] = nil, nil, nil
			if p.Rows > 0 {
				cols[r.Code+"_tu_so"], cols[r.Code+"_mau_so"] = p.Num, p.Den
				if p.Den > 0 {
					cols[r.Code] = float64(p.Num) / float64(p.Den)
				}
			}
			// The share of the reported denominator (every row that
			// reported it) left out.
			cols[r.Code+"_mau_so_bo_qua"] = nil
			if den, ok := t.operand(f, r.Denominator); ok && den > 0 {
				cols[r.Code+"_mau_so_bo_qua"] = float64(den-p.Den) / float64(den)
			}
		}
	}
	return cols
}

// hamlets is thon_tong, the Biểu 01 rows, or nil when no commune's Biểu
// 01 counts in the unit (a commune that reported nothing has an unknown
// number of hamlets, not none).
func (t *Totals) hamlets() any {
	if t.Reported["bieu01"] == 0 {
		return nil
	}
	return t.Rows["bieu01"]
}

// known is n, a count of rows holding some value of field, or nil when
// no row of the form has the field at all: like a sum, a count over
// nothing but blanks is unknown, not zero ("reported zero" and "left
// blank" are different facts).
func (t *Totals) known(form, field string, n int64) any {
	if t.Rows[form]-t.NullRows[field] == 0 {
		return nil
	}
	return n
}

// operand is a rate's numerator or denominator: a count field's sum, a
// bool field's true rows (unknown when every row is blank), or the form's
// row count.
func (t *Totals) operand(f *forms.Form, code string) (int64, bool) {
	if code == forms.RowsDenominator {
		return t.Rows[f.Code], true
	}
	if fd := f.Field(code); fd != nil && fd.Type == forms.Bool {
		return t.Trues[code], t.Rows[f.Code]-t.NullRows[code] > 0
	}
	return t.Sum(code)
}

// RequiredColumns are the view columns the roll-up promises for provinces,
// districts and the nation (see the roll-up's contract); Columns gives
// more (every count field and rate of the forms), which a test compares
// when the view has them.
var RequiredColumns = []string{
	"ho_tong", "ho_dang_ky", "ho_dat", "dong_ho_tong", "dong_ho_dang_ky", "dong_ho_dat",
	"lao_dong_tong", "cong_dan_dat", "don_vi_tong", "don_vi_dang_ky", "don_vi_dat",
	"can_bo_tong", "can_bo_cong_dan_dat",
	"ho_tong_null_rows", "ho_dang_ky_null_rows", "ho_dat_null_rows", "dong_ho_tong_null_rows",
	"dong_ho_dang_ky_null_rows", "dong_ho_dat_null_rows", "lao_dong_tong_null_rows",
	"cong_dan_dat_null_rows", "don_vi_tong_null_rows", "don_vi_dang_ky_null_rows",
	"don_vi_dat_null_rows", "can_bo_tong_null_rows", "can_bo_cong_dan_dat_null_rows",
	"cong_dong_dang_ky_null_rows", "cong_dong_dat_null_rows",
	ThonTong, ThonDangKy, ThonDat,
	"ty_le_ho_dat", "ty_le_dong_ho_dat", "ty_le_thon_dat", "ty_le_don_vi_dat",
	"ty_le_cong_dan_dat", "ty_le_can_bo_dat",
}

func init() {
	// Each rate's coverage: its operands over the rows that reported
	// both, those rows, the rows left out and the share of the
	// denominator left out.
	for _, r := range []string{"ty_le_ho_dat", "ty_le_dong_ho_dat", "ty_le_thon_dat", "ty_le_don_vi_dat", "ty_le_cong_dan_dat", "ty_le_can_bo_dat"} {
		RequiredColumns = append(RequiredColumns, r+"_tu_so", r+"_mau_so", r+"_so_dong", r+"_so_dong_bo_qua", r+"_mau_so_bo_qua")
	}
}

// Completeness is who reported, for one province or the nation.
type Completeness struct {
	Expected     int64 // communes of the register in the area
	Submitted    int64 // ≥ 1 accepted upload
	OnTime       int64 // an accepted upload received strictly before the due time
	Late         int64 // submitted, none before the due time
	Missing      int64 // nothing uploaded at all
	RejectedOnly int64 // uploads, none accepted
}

// CommuneOutcome is what one commune of the register did.
type CommuneOutcome struct {
	Code, Province, District string
	Uploads                  int       // accepted and rejected
	Accepted                 int       // accepted uploads
	FirstAccepted            time.Time // earliest accepted received_at; zero if none
	// Winner is, per form code, the submission id whose rows count.
	Winner map[string]string
}

// Completeness counts the communes of a province ("" = the nation) for a
// commune due time.
func (l *Lake) Completeness(province string, due time.Time) Completeness {
	var c Completeness
	for _, o := range l.Communes {
		if province != "" && o.Province != province {
			continue
		}
		c.Expected++
		switch {
		case o.Uploads == 0:
			c.Missing++
		case o.Accepted == 0:
			c.RejectedOnly++
		default:
			c.Submitted++
			if o.FirstAccepted.Before(due) {
				c.OnTime++
			} else {
				c.Late++
			}
		}
	}
	return c
}
