package lambdarollup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/registry"
)

// Request asks for the roll-up of one province and year to be rebuilt.
type Request struct {
	Year     int    `json:"year"`
	Province string `json:"province"`
}

func (r Request) String() string { return fmt.Sprintf("%d/%s", r.Year, r.Province) }

// ErrMalformed wraps every reason a message body is not a Request.
var ErrMalformed = errors.New("malformed roll-up request")

// maxBody bounds the body read: a request is about 30 bytes, and a huge
// body is not worth decoding (nor logging).
const maxBody = 1024

// ParseRequest reads an SQS body strictly: a JSON object with exactly the
// keys "year" (a whole number from lake.FirstYear to next year, the years
// ingest accepts on now's date) and "province" (a two-digit code of the
// year's administrative-unit register), nothing else, nothing after it.
// Anything else is a body ingest never sends: the error wraps ErrMalformed.
func ParseRequest(body string, reg *registry.Registry, now time.Time) (Request, error) {
	// Or an S3 event about a review state (reviewevent.go).
	if b, ok, err := reviewEventBody(body); ok {
		if err != nil {
			return Request{}, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		body = b
	}
	r, err := parseRequest(body, reg, now)
	if err != nil {
		return Request{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return r, nil
}

func parseRequest(body string, reg *registry.Registry, now time.Time) (Request, error) {
	if len(body) > maxBody {
		return Request{}, fmt.Errorf("body is %d bytes, more than %d", len(body), maxBody)
	}
	// A map first, so key names are matched exactly (encoding/json would
	// take "Year" or "YEAR" for year) and extra keys are seen.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		return Request{}, fmt.Errorf("not a JSON object: %w", err)
	}
	if raw == nil { // the body was null
		return Request{}, errors.New("not a JSON object: null")
	}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		if k != "year" && k != "province" {
			return Request{}, fmt.Errorf("unexpected key %q", k)
		}
	}
	var year *int
	var province *string
	if v, ok := raw["year"]; !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return Request{}, errors.New("no year")
	} else if err := json.Unmarshal(v, &year); err != nil {
		return Request{}, fmt.Errorf("year %s is not a whole number", v)
	}
	if v, ok := raw["province"]; !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return Request{}, errors.New("no province")
	} else if err := json.Unmarshal(v, &province); err != nil {
		return Request{}, fmt.Errorf("province %s is not a string", v)
	}
	r := Request{Year: *year, Province: *province}
	if last := now.Year() + 1; r.Year < lake.FirstYear || r.Year > last {
		return Request{}, fmt.Errorf("year %d is outside %d–%d", r.Year, lake.FirstYear, last)
	}
	if len(r.Province) != 2 || !isDigit(r.Province[0]) || !isDigit(r.Province[1]) {
		return Request{}, fmt.Errorf("province %q is not a two-digit code", r.Province)
	}
	v := reg.ForYear(r.Year)
	if v == nil {
		return Request{}, fmt.Errorf("no administrative-unit register for %d", r.Year)
	}
	if _, ok := v.Provinces[r.Province]; !ok {
		return Request{}, fmt.Errorf("province %s is not in the %s register", r.Province, v.Name)
	}
	return r, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// job is one rebuild and the SQS messages that asked for it.
type job struct {
	req  Request
	msgs []int // indexes in the batch, in batch order
}

// dropped is a message that is not a Request.
type dropped struct {
	msg int
	err error
}

// plan turns a batch into one job per (year, province), in the order each
// was first asked for, and the messages that are not requests. A burst of
// uploads from one province thus costs one build, not one per upload.
func plan(msgs []events.SQSMessage, parse func(string) (Request, error)) ([]job, []dropped) {
	var jobs []job
	var bad []dropped
	byReq := map[Request]int{}
	for i, m := range msgs {
		r, err := parse(m.Body)
		if err != nil {
			bad = append(bad, dropped{msg: i, err: err})
			continue
		}
		j, ok := byReq[r]
		if !ok {
			j = len(jobs)
			byReq[r] = j
			jobs = append(jobs, job{req: r})
		}
		jobs[j].msgs = append(jobs[j].msgs, i)
	}
	return jobs, bad
}

// failures is the partial batch response: the messages of the failed jobs,
// in batch order. It is never nil, so it marshals as [] and not null.
func failures(msgs []events.SQSMessage, jobs []job, failed []bool) events.SQSEventResponse {
	retry := make([]bool, len(msgs))
	for i, j := range jobs {
		if failed[i] {
			for _, m := range j.msgs {
				retry[m] = true
			}
		}
	}
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for i, m := range msgs {
		if retry[i] {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp
}
