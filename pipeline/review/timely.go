package review

import (
	"slices"
	"time"

	"github.com/xhht/xhht/pipeline/receipt"
)

// Timeliness after a return (review finding M1, session 7). A returned
// file never makes a commune on time (docs/portal.md): its timeliness
// counts from the first accepted upload after the last data the province
// returned, and an upload repeating that data (equal data_sha256 for every
// form it carries: "không thay đổi") is that data, not a new file. A
// commune whose latest accepted data is the returned data has no valid
// file: not on time, whatever the deadline. A return the province
// cancelled (reopen) no longer counts. The board, the commune's pages and
// the roll-up's completeness (first_accepted_at, on_time) use this one
// rule; the roll-up's SQL mirrors it (pipeline/rollup/sql.go,
// completenessSQL, with the sets of ReturnedSet).

// ReturnedSet is the data the province last returned (form →
// submission_id), or nil when nothing returned stands (never returned, or
// the return was reopened). A status written before returned_forms
// existed gives its Forms while it is returned (an approval after a
// return then forgets it).
func (s Status) ReturnedSet(latest Set) Set {
	if s.ReturnedForms != nil {
		return s.ReturnedForms.spread(latest)
	}
	if s.State == Returned {
		forms, _ := s.sets(latest)
		return forms
	}
	return nil
}

// TimelyFrom is when the commune first had a valid file: the received_at
// of its first accepted upload after the newest returned data (all its
// accepted uploads when nothing returned stands; a return of data newer
// than the approved data that still counts is not one). ok false: no valid file
// (nothing accepted, or only returned data and repeats of it). ups are
// the commune's uploads of the year (any order, rejected ones included);
// for a report's cut-off, only those received before it (and s the
// status of the same data set, AtCutoff): the returned data is then that of the set at the
// cut-off, so a return of a later file never makes an earlier valid file
// invalid, and the time is never after the cut-off (finding H-A).
func TimelyFrom(s Status, ups []Upload) (at time.Time, ok bool) {
	cur := Current(ups)
	ret := s.ReturnedIDs(cur)
	// Approved data that still counts was valid from when it came: a
	// return of a newer file (the new file sent back, the approved data
	// kept) changes nothing before it (re-check finding M1, session 8).
	_, appr := s.sets(cur)
	var approved *Upload // the newest upload of the approved data
	for i := range ups {
		if ups[i].Status == receipt.Accepted && slices.Contains(appr.IDs(), ups[i].SubmissionID) && (approved == nil || Newer(ups[i], *approved)) {
			approved = &ups[i]
		}
	}
	var last *Upload // the newest upload of returned data the approved data does not follow
	for i := range ups {
		u := ups[i]
		if u.Status != receipt.Accepted || !returnedIn(ret, u.SubmissionID) || (approved != nil && Newer(u, *approved)) {
			continue
		}
		if last == nil || Newer(u, *last) {
			last = &ups[i]
		}
	}
	d := DigestsOf(ups)
	for i := range ups {
		u := ups[i]
		if u.Status != receipt.Accepted || returnedIn(ret, u.SubmissionID) || (last != nil && !Newer(u, *last)) {
			continue
		}
		if len(ret) > 0 && repeatsReturned(d, u, ret) {
			continue
		}
		if !ok || u.ReceivedAt.Before(at) {
			at, ok = u.ReceivedAt, true
		}
	}
	return at, ok
}

// repeatsReturned reports whether upload u carries, for every form it
// carries, the data of one of the returned submissions ret.
func repeatsReturned(d Digests, u Upload, ret []string) bool {
	for _, f := range u.FormsOf() {
		if f == "" || !slices.ContainsFunc(ret, func(t string) bool { return d.sameData(u.SubmissionID, t, f) }) {
			return false
		}
	}
	return true
}
