package review

import (
	"context"
	"maps"
	"slices"

	"github.com/xhht/xhht/pipeline/storage"
)

// Returned data keeps its history (review finding H-A, session 8).
//
// A file the province returned never counts, in any build: live, at a
// report's cut-off, approved-only. Status.ReturnedForms is only the last
// return, and a later return replaced it; a report built after its
// cut-off, whose data set is older than today's, then counted a file
// returned before the last return. So a status keeps every submission
// whose return stands (Status.ReturnedSubmissions):
//
//	return of set R:         R's submissions join it
//	approve of set A:        A's submissions leave it (the province now
//	                         approves that data: its return no longer stands)
//	reopen of a returned
//	commune:                 the last return's submissions leave it (the
//	                         return is cancelled: that data is valid again)
//	reopen of an approved
//	commune, check:          unchanged
//
// A status written before the field (version 1) is read through what it
// has: ReturnedForms, else its Forms while it is returned (ReturnedSet).
// That misses a return followed by another return; WithHistory gives the
// exact set from the commune's audit records (immutable, one per change),
// replayed with the same rules (ReturnedFromHistory). Apply does so before
// its first change of such a status, so every status it writes is
// version 2; the roll-up does so for the builds of a report's cut-off
// (AtCutoff, asof.go), the only builds where the difference shows (the
// live latest upload is never in an earlier return).

// StatusVersion is the version of a Status written by this package:
// version 2 statuses carry returned_submissions (possibly empty).
const StatusVersion = 2

// ReturnedIDs are the submissions whose return stands (sorted): they
// never count. latest is the commune's current set, for a version 1
// status's fallback (ReturnedSet).
func (s Status) ReturnedIDs(latest Set) []string {
	if s.Version >= StatusVersion {
		return slices.Clone(s.ReturnedSubmissions)
	}
	return s.ReturnedSet(latest).IDs()
}

// returnedIn reports whether id is one of ret.
func returnedIn(ret []string, id string) bool {
	return id != "" && slices.Contains(ret, id)
}

// ReturnedFromHistory replays a commune's audit records (oldest first) to
// the submissions whose return stands, with the rules of
// Status.ReturnedSubmissions.
func ReturnedFromHistory(recs []Record) []string {
	set := map[string]bool{}
	var standing []string // the last return's submissions
	for _, r := range recs {
		ids := r.Forms.IDs()
		if len(ids) == 0 && r.Submission != "" {
			ids = []string{r.Submission} // a record written before the per-form fix
		}
		switch r.Action {
		case KindReturn:
			for _, id := range ids {
				set[id] = true
			}
			standing = ids
		case KindApprove:
			for _, id := range ids {
				delete(set, id)
			}
		case KindReopen:
			if r.FromState == Returned {
				for _, id := range standing {
					delete(set, id)
				}
			}
			standing = nil
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// WithHistory is s with its ReturnedSubmissions exact: a version 1 status
// (written before the field) gets them from the commune's audit records
// and becomes version 2 in memory (nothing is written). A version 2 or
// never-reviewed status is returned as it is.
func WithHistory(ctx context.Context, st storage.Store, s Status) (Status, error) {
	if s.Version >= StatusVersion || s.State == "" {
		return s, nil
	}
	recs, err := History(ctx, st, s.Year, s.Province, s.Commune)
	if err != nil {
		return s, err
	}
	return s.withReturned(recs), nil
}

// withReturned is WithHistory given the commune's audit records.
func (s Status) withReturned(recs []Record) Status {
	if s.Version >= StatusVersion || s.State == "" {
		return s
	}
	s.ReturnedSubmissions = ReturnedFromHistory(recs)
	// The status's own fallback too: a record set missing its last
	// change cannot forget what the status itself still says.
	for _, id := range s.ReturnedSet(nil).IDs() {
		if !slices.Contains(s.ReturnedSubmissions, id) {
			s.ReturnedSubmissions = append(s.ReturnedSubmissions, id)
		}
	}
	slices.Sort(s.ReturnedSubmissions)
	s.Version = StatusVersion
	return s
}

// AsOf is the status as it applies to an older data set, at a report's
// cut-off, when every action of the status was about that data set
// (otherwise AtCutoff replays the audit records: an approval of the older
// data followed by a decision about a later file is not in the status):
// has(id) tells whether a submission is in that data set's
// inputs. Submissions received after the cut-off are dropped from the
// sets the status names (the set acted on, the approved and the returned
// data), so the state shown and what counts are about the data set at the
// cut-off: data approved after it was not there to count, and a
// return of a later file says nothing about an earlier file. Decisions
// about the earlier data (a return of it, made after the cut-off) stay:
// a returned file never counts.
func (s Status) AsOf(has func(id string) bool) Status {
	keep := func(set Set) Set {
		if set == nil {
			return nil
		}
		out := Set{}
		for f, id := range set {
			if has(id) {
				out[f] = id
			}
		}
		return out
	}
	perForm := s.Forms != nil || s.ApprovedForms != nil
	s.Forms, s.ApprovedForms, s.ReturnedForms = keep(s.Forms), keep(s.ApprovedForms), keep(s.ReturnedForms)
	if perForm && s.Forms == nil {
		s.Forms = Set{} // still a per-form status (sets reads a nil pair as version-1 single submissions)
	}
	if !perForm {
		if !has(s.Submission) {
			s.Submission = ""
		}
		if !has(s.ApprovedSubmission) {
			s.ApprovedSubmission = ""
		}
	} else if !has(s.ApprovedSubmission) {
		s.ApprovedSubmission = ""
	}
	if s.ReturnedSubmissions != nil {
		s.ReturnedSubmissions = slices.DeleteFunc(slices.Clone(s.ReturnedSubmissions), func(id string) bool { return !has(id) })
	}
	return s
}
