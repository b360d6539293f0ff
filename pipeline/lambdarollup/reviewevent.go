package lambdarollup

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/xhht/xhht/pipeline/lake"
)

// A province's review changes what its roll-up counts (an approved upload
// that was waiting, a returned file that leaves). The lake notifies the
// roll-up queue of every object created under reviews/ (infra:
// LakeBucket's NotificationConfiguration), so besides ingest's
// {"year","province"} a message may be an S3 event whose key is
// reviews/year=<Y>/province=<P>/commune=<C>.json: it asks for the
// rebuild of that province and year, and goes through the same checks.

// maxEventBody bounds an S3 event body (one record is about 1.5 kB).
const maxEventBody = 16 << 10

// reviewEventBody turns an S3 event about review states into the request
// body ingest would send. ok is false when body is not an S3 event (it is
// then parsed as a request); err says why an S3 event is not a usable one.
func reviewEventBody(body string) (req string, ok bool, err error) {
	if !strings.Contains(body, `"Records"`) || len(body) > maxEventBody {
		return "", false, nil
	}
	var ev events.S3Event
	if json.Unmarshal([]byte(body), &ev) != nil || len(ev.Records) == 0 {
		return "", false, nil
	}
	var year int
	var prov string
	for _, r := range ev.Records {
		key := r.S3.Object.URLDecodedKey
		// The lake may have a prefix (LAKE_PREFIX): the review key follows it.
		i := strings.Index(key, lake.ReviewsPrefix+lake.YearSeg)
		if i < 0 || (i > 0 && key[i-1] != '/') {
			return "", true, fmt.Errorf("S3 event for %q, not a review state", key)
		}
		y, p, _, ok := lake.ParseReviewKey(key[i:])
		if !ok {
			return "", true, fmt.Errorf("S3 event key %q is not a review state key (%s)", key, lake.ReviewKey(2026, "P", "C"))
		}
		if year != 0 && (y != year || p != prov) {
			return "", true, errors.New("S3 event with records of several provinces or years")
		}
		year, prov = y, p
	}
	b, _ := json.Marshal(Request{Year: year, Province: prov})
	return string(b), true, nil
}
