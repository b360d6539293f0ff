package review

import (
	"context"
	"maps"
	"slices"

	"github.com/xhht/xhht/pipeline/storage"
)

// The review state at a report's cut-off (re-check findings N-1, N-2,
// session 8).
//
// A report built after its cut-off counts the data set at the cut-off,
// and its review state must be what the province decided about THAT data.
// A status only keeps the latest decision: once the province approves or
// returns a file received after the cut-off, the status no longer names
// the earlier approval (approved_forms is the new file), and Status.AsOf,
// which drops the later files, dropped that approval with them: the
// approved file the report counts read "awaiting review" and left the
// approved-only report. So when the status was changed by actions about
// files received after the cut-off, AtCutoff replays the commune's audit
// records (immutable, one per change) and keeps only what they decided
// about the cut-off data, per form:
//
//	approve of set A:      A's cut-off submissions are approved (the
//	                       later files of A say nothing about them)
//	return of set R:       R's cut-off submissions are returned, and no
//	                       longer approved (as Apply does)
//	reopen of a returned
//	commune:               cancels that return if it was of cut-off data
//	                       (the data awaits review and, as Apply does,
//	                       no approval stands); a reopen of a later
//	                       file's return changes nothing about the
//	                       earlier data
//	reopen of an approved
//	commune:               withdraws every approval if the withdrawn
//	                       approval was of cut-off data (as Apply does);
//	                       a reopen of a later file's approval changes
//	                       nothing about the earlier data
//
// A status whose actions were all about the cut-off data is already that
// state and is only read through AsOf (no audit read: the common case).
// Returned data keeps its own rules (returned.go): a file whose return
// stands never counts.

// AtCutoff is s as it applies to the data set at a report's cut-off: has
// tells whether a submission is among that data set's inputs (received
// before the cut-off). It reads the commune's audit records only when s is
// version 1 (WithHistory) or was changed by an action about a later file.
// On an error (unreadable audit record) it returns s unchanged with the
// error: the caller decides what to fall back to.
func AtCutoff(ctx context.Context, st storage.Store, s Status, has func(id string) bool) (Status, error) {
	if s.State == "" {
		return s.AsOf(has), nil
	}
	later := s.actedOnLater(has)
	if s.Version >= StatusVersion && !later {
		return s.AsOf(has), nil
	}
	recs, err := History(ctx, st, s.Year, s.Province, s.Commune)
	if err != nil {
		return s, err
	}
	s = s.withReturned(recs)
	if !later {
		return s.AsOf(has), nil
	}
	return s.replayAsOf(recs, has), nil
}

// actedOnLater reports whether the status names a submission that is not
// among has: some action was about a file received after the cut-off.
func (s Status) actedOnLater(has func(id string) bool) bool {
	later := func(id string) bool { return id != "" && !has(id) }
	for _, set := range []Set{s.Forms, s.ApprovedForms, s.ReturnedForms} {
		if slices.ContainsFunc(set.IDs(), later) {
			return true
		}
	}
	return later(s.Submission) || later(s.ApprovedSubmission) || slices.ContainsFunc(s.ReturnedSubmissions, later)
}

// keepIn is the part of set whose submissions are among has.
func keepIn(set Set, has func(id string) bool) Set {
	out := Set{}
	for f, id := range set {
		if id != "" && has(id) {
			out[f] = id
		}
	}
	return out
}

// replayAsOf is the status about the cut-off data, from the commune's
// audit records (oldest first) with the rules above. s must carry its
// exact returned submissions (version 2, or withReturned).
func (s Status) replayAsOf(recs []Record, has func(id string) bool) Status {
	var (
		state        State
		forms, retd  Set
		comment      string
		cutApproved  = Set{} // approved cut-off data, per form
		liveApproved = Set{} // the approved data as Apply kept it (what a reopen withdraws)
		standing     Set     // the last return's data (what a reopen of a returned commune cancels)
	)
	for _, r := range recs {
		set := r.Forms.clean()
		if len(set) == 0 && r.Submission != "" {
			set = Set{"": r.Submission} // a record written before the per-form fix: every form
		}
		cut := keepIn(set, has)
		switch r.Action {
		case KindApprove:
			liveApproved = maps.Clone(set)
			if len(cut) > 0 {
				maps.Copy(cutApproved, cut)
				// The set acted on, as the cut-off data set sees it: its
				// approved data (a form whose new file came later keeps
				// its earlier approved file).
				state, forms, comment = Approved, maps.Clone(cutApproved), r.Comment
			}
		case KindReturn:
			maps.DeleteFunc(liveApproved, func(_, id string) bool { return set.Has(id) })
			standing = set
			if len(cut) > 0 {
				maps.DeleteFunc(cutApproved, func(_, id string) bool { return cut.Has(id) })
				state, forms, retd, comment = Returned, cut, cut, r.Comment
			}
		case KindReopen:
			// FromState is the decision withdrawn (approved, returned); a
			// record written before that (the state shown) is read as an
			// approval withdrawn unless it says returned.
			ofCut := len(keepIn(liveApproved, has)) > 0
			if r.FromState == Returned {
				ofCut = len(keepIn(standing, has)) > 0
			}
			if ofCut {
				cutApproved = Set{}
				if state != "" {
					state, comment = Submitted, r.Comment
				}
				if r.FromState == Returned {
					retd = nil
				}
			}
			liveApproved, standing = Set{}, nil
		}
	}
	out := s
	out.State, out.Comment = state, comment
	if state == "" && s.State != "" {
		out.State = Submitted // reviewed, but never about the cut-off data: it awaits review
	}
	out.Forms = forms
	if out.Forms == nil {
		out.Forms = Set{} // a per-form status (sets reads a nil pair as version-1 single submissions)
	}
	out.ApprovedForms, out.ReturnedForms = nil, retd
	if len(cutApproved) > 0 {
		out.ApprovedForms = cutApproved
	}
	out.Submission, out.ApprovedSubmission = forms.only(), out.ApprovedForms.only()
	if s.ReturnedSubmissions != nil {
		out.ReturnedSubmissions = slices.DeleteFunc(slices.Clone(s.ReturnedSubmissions), func(id string) bool { return !has(id) })
	}
	return out
}
