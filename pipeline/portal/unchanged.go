package portal

import (
	"context"
	"slices"

	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/review"
)

// The answer to an accepted upload that repeats data the commune had
// already sent ("không thay đổi", issue 15): review.Repeats compares its
// receipt's data_sha256 with the approved or returned submission's (the
// state stays approved or returned: review.EffectiveData) and with the
// commune's previous upload.
// The answer's heading says "Không thay đổi"; these sentences follow it
// (without saying it again).
const (
	unchangedApproved = "Tệp này giống hệt số liệu Sở đã duyệt. Xã không cần làm gì thêm."
	unchangedReturned = "Tệp này giống hệt số liệu Sở đã trả lại. Hãy sửa theo ý kiến của Sở rồi nộp lại."
	unchangedPrevious = "Tệp này giống hệt số liệu xã đã nộp trước đó."
)

// unchangedText is what the answer to rc says when it repeats earlier data
// ("" when it brings new data, is rejected, or its receipt has no digest).
// rcs are the commune's receipts of the year (rc among them or not).
func (s *server) unchangedText(ctx context.Context, ss session, rc *receipt.Receipt, rcs []*receipt.Receipt) (string, error) {
	if rc.Status != receipt.Accepted || len(rc.DataSHA256) == 0 {
		return "", nil
	}
	st, _, err := review.Get(ctx, s.cfg.Lake, ss.Year, ss.Province, ss.Commune)
	if err != nil {
		return "", err
	}
	ups := make([]review.Upload, 0, len(rcs)+1)
	for _, r := range rcs {
		ups = append(ups, review.UploadOf(r))
	}
	if !slices.ContainsFunc(rcs, func(r *receipt.Receipt) bool { return r.SubmissionID == rc.SubmissionID }) {
		ups = append(ups, review.UploadOf(rc))
	}
	switch review.Repeats(st, ups, rc.SubmissionID) {
	case review.RepeatsApproved:
		return unchangedApproved, nil
	case review.RepeatsReturned:
		return unchangedReturned, nil
	case review.RepeatsPrevious:
		return unchangedPrevious, nil
	}
	return "", nil
}
