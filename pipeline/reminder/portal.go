package reminder

import "github.com/xhht/xhht/pipeline/review"

// WithState fills c's state the way the report function does, from what
// the portal already reads for a commune's page: its uploads of the year
// (review.Uploads), the first error of its latest rejected upload (its
// receipt), and its review status (review.Get; zero when never reviewed).
// c carries the rest (year, deadline, names, due time, at). The portal
// then shows c.Action(), the action line of the commune's reminder mail.
func WithState(c Commune, uploads []review.Upload, rejectionReason string, st review.Status) Commune {
	latest := review.Current(uploads)
	switch {
	case len(latest) > 0:
		c.Upload = Accepted
	case len(uploads) > 0:
		c.Upload, c.Reason = Rejected, rejectionReason
	default:
		c.Upload = Missing
	}
	c.Review, _ = review.EffectiveData(st, latest, review.DigestsOf(uploads), false)
	c.Comment = ""
	if c.Review == review.Returned {
		c.Comment = st.Comment
	}
	return c
}
