package review

import "github.com/xhht/xhht/pipeline/receipt"

// "Không thay đổi" (issue 15): a re-upload identical to the data the
// province last approved or returned is that same submission, not a new
// one. Ingest records in each accepted receipt, per form, a digest of the
// data its lake rows hold (receipt.Receipt.DataSHA256, "data_sha256"),
// a function of that upload alone; the comparison with the commune's other
// uploads is made here, by every reader, through EffectiveData (the SQL
// mirrors: pipeline/rollup/reviewviews.go, pipeline/rollup/approved.go).

// Digests are the accepted uploads' data digests: submission_id → form →
// data_sha256.
type Digests map[string]map[string]string

// DigestsOf collects the digests of the accepted uploads.
func DigestsOf(ups []Upload) Digests {
	d := Digests{}
	for _, u := range ups {
		if u.Status == receipt.Accepted && len(u.DataSHA256) > 0 {
			d[u.SubmissionID] = u.DataSHA256
		}
	}
	return d
}

// sameData reports whether submissions a and b carry the same data for
// form: both digests known and equal. A receipt without a digest (written
// before it existed) is never the same as another.
func (d Digests) sameData(a, b, form string) bool {
	x, y := d[a][form], d[b][form]
	return x != "" && x == y
}

// carriesCurrent reports whether submission sub, not itself current,
// carries for every form it has the data of that form's current
// submission (equal digests). The flags the pages show for an identical
// re-upload are its earlier upload's (the roll-up counts that one, or has
// not read the new one yet), so a check of them is about the data that
// counts now, not stale (lead, session 8).
func (d Digests) carriesCurrent(sub string, latest Set) bool {
	forms := d[sub]
	if sub == "" || len(forms) == 0 {
		return false
	}
	for f := range forms {
		if id := latest[f]; id == "" || !d.sameData(sub, id, f) {
			return false
		}
	}
	return true
}

// actedOn is, for form, the submission the status's last approve or return
// (or reopen) was about: Forms[form], else Forms[""] (a status written from
// receipts naming no form), and for a status written before the per-form
// fix its Submission. "" when none.
func (s Status) actedOn(form string) string {
	if s.Forms != nil || s.ApprovedForms != nil {
		if id := s.Forms[form]; id != "" {
			return id
		}
		return s.Forms[""]
	}
	return s.Submission
}

// NeedsDigests reports whether some form's latest submission is not the
// one the status's last action was about: only then can digests change
// EffectiveData's answer (a reader may skip reading them otherwise).
func (s Status) NeedsDigests(latest Set) bool {
	for f, id := range latest {
		if t := s.actedOn(f); f != "" && id != "" && t != "" && t != id {
			return true
		}
	}
	return false
}

// Same is latest with, per form, a submission carrying the same data as
// the one the status's last action was about for that form (equal
// data_sha256) replaced by that one: an identical re-upload is the
// submission it repeats. A submission is the same only as a whole: every
// form it is current for must repeat (review finding H1, session 7: a
// corrected workbook whose Biểu 02 is unchanged is new data, and its
// Biểu 02 must count with its Biểu 01, not stay the returned one's).
// Forms whose data differs, or whose digests are unknown, are kept as they
// are, so old receipts behave as before.
func (d Digests) Same(s Status, latest Set) Set {
	repeats := func(f, id string) bool {
		t := s.actedOn(f)
		return f != "" && t != "" && t != id && d.sameData(id, t, f)
	}
	whole := map[string]bool{} // submission → every form it is current for repeats
	for f, id := range latest {
		if id == "" {
			continue
		}
		if ok, seen := whole[id]; !seen || ok {
			whole[id] = repeats(f, id)
		}
	}
	out := Set{}
	for f, id := range latest {
		out[f] = id
		if id != "" && whole[id] {
			out[f] = s.actedOn(f)
		}
	}
	return out
}

// EffectiveData is Effective with the uploads' digests: a later accepted
// upload of a form whose data equals that of the submission the status's
// last approve or return was about (Digests.Same) is that same
// submission. So:
//
//	Approved A, latest A' with A's data:   Approved; A counts (nothing new to review)
//	Returned R, latest R' with R's data:   Returned; R does not count again, the comment stays
//	any state, latest with other data:     as Effective (the new upload waits)
//
// Effective(s, latest, mode) is EffectiveData with no digests (receipts
// written before data_sha256, and callers that have none).
func EffectiveData(s Status, latest Set, d Digests, approvedOnly bool) (shown State, counted Set) {
	return Effective(s, d.Same(s, latest), approvedOnly)
}

// Repeat says what an accepted upload repeats, for the commune's answer.
type Repeat int

const (
	NotRepeat       Repeat = iota // new data (or digests unknown)
	RepeatsApproved               // the data the province approved: the commune stays approved
	RepeatsReturned               // the data the province returned: the commune stays returned
	RepeatsPrevious               // the data of the commune's previous accepted upload, awaiting review or never reviewed
)

// Repeats tells whether the accepted upload id repeats, for every form it
// carries, data the commune had already sent: the approved or returned
// data (the state shown stays approved or returned), else the data of the
// commune's upload of that form just before it. ups are the commune's
// uploads of the year including id.
func Repeats(s Status, ups []Upload, id string) Repeat {
	var me *Upload
	var before []Upload
	for i := range ups {
		if ups[i].SubmissionID == id {
			me = &ups[i]
		}
	}
	if me == nil || me.Status != receipt.Accepted || len(me.DataSHA256) == 0 {
		return NotRepeat
	}
	for _, u := range ups {
		if u.SubmissionID != id && Newer(*me, u) {
			before = append(before, u)
		}
	}
	d := DigestsOf(ups)
	cur := Current(ups)
	resolved := d.Same(s, cur)
	all := true // every form of the upload is in the current set and resolved away from it
	for _, f := range me.FormsOf() {
		if cur[f] != id || resolved[f] == id {
			all = false
		}
	}
	if all {
		switch shown, _ := Effective(s, resolved, false); shown {
		case Approved:
			return RepeatsApproved
		case Returned:
			return RepeatsReturned
		}
	}
	prev := Current(before)
	for _, f := range me.FormsOf() {
		if p := prev[f]; p == "" || !d.sameData(id, p, f) {
			return NotRepeat
		}
	}
	return RepeatsPrevious
}
