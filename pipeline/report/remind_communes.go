package report

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/xhht/xhht/pipeline/reminder"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage"
)

// Reminders to each commune (issue 15). Besides the province summary,
// Remind lists in Communes one reminder.Commune per commune that has to
// act — nothing sent, every upload rejected, or its data returned by the
// province — each published on its own with the commune_code attribute
// (pipeline/lambdareport). Returned lists the returned communes in the
// summary, with the province's comment as the reason. JSON: "returned"
// (like "missing") and "communes" (reminder.Commune), [] when empty.

// communeRow is one commune of the snapshot's completeness.
type communeRow struct {
	code, name, status, reason string
	state                      review.State
}

// addCommunes fills Returned and Communes from the completeness rows and
// the province's review states (for the return comments).
func (r *Reminder) addCommunes(ctx context.Context, lake storage.Store) error {
	r.Returned, r.Communes = []ReminderCommune{}, []reminder.Commune{}
	statuses, err := review.ForProvince(ctx, lake, r.Year, r.Province)
	if err != nil && !errors.Is(err, review.ErrUnreadable) {
		return fmt.Errorf("report: remind: review states: %w", err)
	}
	// An unreadable status (review.ErrUnreadable) leaves that commune's
	// return comment out; the others' reminders still go.
	for _, row := range r.all {
		c := reminder.Commune{Year: r.Year, Deadline: r.Deadline, DeadlineName: r.DeadlineName, Province: r.Province, ProvinceName: r.ProvinceName,
			Code: row.code, Name: row.name, DueAt: r.DueAt, At: r.At, Review: row.state}
		switch {
		case returnedOnly(string(row.state), row.status):
			// Its data was accepted, then returned (the roll-up's status
			// says rejected_only): as the portal's reminder.WithState.
			c.Upload = reminder.Accepted
		case row.status == "missing":
			c.Upload = reminder.Missing
		case row.status == "rejected_only":
			c.Upload, c.Reason = reminder.Rejected, row.reason
		default:
			c.Upload = reminder.Accepted
		}
		if c.Review == review.Returned {
			// The commune's own reminder carries the comment either way;
			// the province's list of returned communes has only those with
			// no counted data (the others are counted as accepted).
			c.Comment = statuses[row.code].Comment
			if returnedOnly(string(row.state), row.status) {
				r.Returned = append(r.Returned, ReminderCommune{Code: row.code, Name: row.name, Reason: c.Comment})
			}
		}
		if c.Needed() {
			r.Communes = append(r.Communes, c)
		}
	}
	return nil
}

// withReturned ends the summary text with the returned communes.
func (r *Reminder) withReturned(b *strings.Builder) string {
	if len(r.Returned) > 0 {
		fmt.Fprintf(b, "\nXã có số liệu bị Sở trả lại, cần sửa và nộp lại (%d):\n", len(r.Returned))
		for i, c := range r.Returned {
			comment := reminder.Indented(c.Reason, "     ") // under its numbered item (h-fix15p, L9)
			if comment == "" {
				comment = "không ghi ý kiến"
			}
			fmt.Fprintf(b, "  %d. %s — ý kiến của Sở: %s\n", i+1, c.label(), comment)
		}
	}
	return b.String()
}
