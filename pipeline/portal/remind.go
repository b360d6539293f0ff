package portal

import (
	"context"

	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/reminder"
	"github.com/xhht/xhht/pipeline/review"
)

// reminderText is what the commune's reminder mail for its next report
// tells it to do (pipeline/reminder Commune.Action: the same words as the
// mail's "Việc cần làm"), when it has something to do (nothing sent, only
// rejected files, or data returned); "" else. The rest of the mail (state,
// the province's comment, due dates) the page shows in its own boxes, once.
// Config.Reminder, when set, replaces it.
func (s *server) reminderText(ctx context.Context, ss session, rcs []*receipt.Receipt) (string, error) {
	if s.cfg.Reminder != nil {
		return s.cfg.Reminder(ctx, ss.Year, ss.Province, ss.Commune)
	}
	now := s.cfg.Now()
	all := s.deadlines.All()
	if len(all) == 0 {
		return "", nil
	}
	// The first report whose due date is still ahead, else the last one.
	d := all[len(all)-1]
	due, err := s.deadlines.CommuneDue(ss.Province, d.ID, ss.Year)
	for _, x := range all {
		if cut, err2 := s.deadlines.CommuneDue(ss.Province, x.ID, ss.Year); err2 == nil && now.Before(cut) {
			d, due, err = x, cut, nil
			break
		}
	}
	if err != nil {
		return "", err
	}
	st, _, err := review.Get(ctx, s.cfg.Lake, ss.Year, ss.Province, ss.Commune)
	if err != nil {
		return "", err
	}
	ups := make([]review.Upload, 0, len(rcs))
	var newestRejected *receipt.Receipt
	for _, rc := range rcs {
		u := review.UploadOf(rc)
		ups = append(ups, u)
		if rc.Status != receipt.Accepted && (newestRejected == nil || review.Newer(u, review.Upload{ReceivedAt: newestRejected.ReceivedAt,
			SourceKey: newestRejected.SourceKey, SourceVersion: newestRejected.SourceVersion})) {
			newestRejected = rc
		}
	}
	reason := ""
	if newestRejected != nil {
		for _, is := range newestRejected.Errors {
			if is.Severity == receipt.SevError {
				reason = is.Message
				break
			}
		}
	}
	c := reminder.WithState(reminder.Commune{Year: ss.Year, Deadline: d.ID, DeadlineName: d.NameVI, Province: ss.Province,
		ProvinceName: ss.ProvinceName, Code: ss.Commune, Name: ss.CommuneName, DueAt: due, At: now}, ups, reason, st)
	if !c.Needed() {
		return "", nil
	}
	return c.Action(), nil
}
