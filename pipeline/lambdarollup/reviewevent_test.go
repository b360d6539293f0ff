package lambdarollup

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/xhht/xhht/pipeline/registry"
)

// s3Body is the body S3 sends to a queue for one created object (keys are
// URL-encoded in it, as S3 does: "=" is %3D).
func s3Body(keys ...string) string {
	var ev struct {
		Records []map[string]any `json:"Records"`
	}
	for _, k := range keys {
		ev.Records = append(ev.Records, map[string]any{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
			"s3": map[string]any{"bucket": map[string]any{"name": "xhht-prod-lake"}, "object": map[string]any{"key": url.QueryEscape(k), "size": 300}}})
	}
	b, _ := json.Marshal(ev)
	return string(b)
}

func TestReviewEventRequestsRebuild(t *testing.T) {
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name, body string
		want       Request
		bad        bool
	}{
		{"review state", s3Body("reviews/year=2026/province=19/commune=01840.json"), Request{2026, "19"}, false},
		{"with a lake prefix", s3Body("xhht/reviews/year=2026/province=19/commune=01840.json"), Request{2026, "19"}, false},
		{"ingest's request still works", `{"year":2026,"province":"19"}`, Request{2026, "19"}, false},
		{"another prefix of the lake", s3Body("rollups/year=2026/province=19/x.parquet"), Request{}, true},
		{"unknown province", s3Body("reviews/year=2026/province=99/commune=01840.json"), Request{}, true},
		{"year out of range", s3Body("reviews/year=1999/province=19/commune=01840.json"), Request{}, true},
		{"two provinces", s3Body("reviews/year=2026/province=19/commune=01840.json", "reviews/year=2026/province=01/commune=00004.json"), Request{}, true},
		{"a prefix that only ends in reviews", s3Body("oldreviews/year=2026/province=19/commune=01840.json"), Request{}, true},
		{"S3's test event", `{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"xhht-prod-lake"}`, Request{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseRequest(c.body, reg, now)
			if c.bad {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("got %v, %v; want ErrMalformed", got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %v, %v; want %v", got, err, c.want)
			}
		})
	}
	// A batch of review events and an upload of the same province is one build.
	jobs, bad := plan([]events.SQSMessage{{Body: s3Body("reviews/year=2026/province=19/commune=01840.json")}, {Body: `{"year":2026,"province":"19"}`}},
		func(b string) (Request, error) { return ParseRequest(b, reg, now) })
	if len(jobs) != 1 || len(bad) != 0 || len(jobs[0].msgs) != 2 {
		t.Errorf("jobs %+v, dropped %+v", jobs, bad)
	}
}
