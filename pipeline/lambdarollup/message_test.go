package lambdarollup

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/xhht/xhht/pipeline/lambdaingest"
	"github.com/xhht/xhht/pipeline/registry"
)

var testNow = time.Date(2026, 12, 3, 4, 5, 6, 0, time.UTC)

func loadRegistry(t *testing.T) *registry.Registry {
	t.Helper()
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestParseRollupRequest(t *testing.T) {
	reg := loadRegistry(t)
	cases := []struct {
		name    string
		body    string
		want    Request
		wantErr string // part of the error; "" = valid
	}{
		{"as ingest sends it", `{"year":2026,"province":"19"}`, Request{2026, "19"}, ""},
		{"spaces and key order", " {\n \"province\" : \"79\", \"year\" : 2026 }\n", Request{2026, "79"}, ""},
		{"next year", `{"year":2027,"province":"19"}`, Request{2027, "19"}, ""},
		{"pre-reform year and province", `{"year":2024,"province":"10"}`, Request{2024, "10"}, ""},
		{"first year", `{"year":2014,"province":"01"}`, Request{2014, "01"}, ""},

		{"empty", ``, Request{}, "not a JSON object"},
		{"not JSON", `year=2026&province=19`, Request{}, "not a JSON object"},
		{"null", `null`, Request{}, "not a JSON object"},
		{"array", `[2026,"19"]`, Request{}, "not a JSON object"},
		{"trailing data", `{"year":2026,"province":"19"} {}`, Request{}, "not a JSON object"},
		{"S3 event not about a review state", `{"Records":[{"eventName":"ObjectCreated:Put"}]}`, Request{}, `not a review state`},
		{"extra key", `{"year":2026,"province":"19","commune":"01864"}`, Request{}, `unexpected key "commune"`},
		{"key in another case", `{"Year":2026,"province":"19"}`, Request{}, `unexpected key "Year"`},
		{"no year", `{"province":"19"}`, Request{}, "no year"},
		{"null year", `{"year":null,"province":"19"}`, Request{}, "no year"},
		{"year as a string", `{"year":"2026","province":"19"}`, Request{}, "not a whole number"},
		{"fractional year", `{"year":2026.5,"province":"19"}`, Request{}, "not a whole number"},
		{"year with a decimal point", `{"year":2026.0,"province":"19"}`, Request{}, "not a whole number"},
		{"year too large for an int", `{"year":1e999,"province":"19"}`, Request{}, "not a whole number"},
		{"year before the first", `{"year":2013,"province":"19"}`, Request{}, "outside 2014–2027"},
		{"year after next", `{"year":2028,"province":"19"}`, Request{}, "outside 2014–2027"},
		{"no province", `{"year":2026}`, Request{}, "no province"},
		{"null province", `{"year":2026,"province":null}`, Request{}, "no province"},
		{"province as a number", `{"year":2026,"province":19}`, Request{}, "not a string"},
		{"one digit", `{"year":2026,"province":"1"}`, Request{}, "not a two-digit code"},
		{"three digits", `{"year":2026,"province":"019"}`, Request{}, "not a two-digit code"},
		{"letters", `{"year":2026,"province":"HN"}`, Request{}, "not a two-digit code"},
		{"padded", `{"year":2026,"province":" 19"}`, Request{}, "not a two-digit code"},
		{"full-width digits", `{"year":2026,"province":"１９"}`, Request{}, "not a two-digit code"},
		{"not in the year's register", `{"year":2026,"province":"10"}`, Request{}, "not in the 2026-04 register"},
		{"huge body", `{"year":2026,"province":"19","pad":"` + strings.Repeat("x", 2000) + `"}`, Request{}, "more than 1024"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseRequest(c.body, reg, testNow)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("ParseRequest(%q) = %+v, %v; want an error mentioning %q", c.body, got, err, c.wantErr)
				}
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("error %v does not wrap ErrMalformed", err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseRequest(%q) = %+v, %v; want %+v", c.body, got, err, c.want)
			}
		})
	}
}

// What the ingest function sends is what this function accepts.
func TestRollupParsesWhatIngestSends(t *testing.T) {
	reg := loadRegistry(t)
	for _, p := range []string{"01", "19", "79"} {
		b, err := json.Marshal(lambdaingest.RollupRequest{Year: 2026, Province: p})
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseRequest(string(b), reg, testNow)
		if err != nil || got != (Request{2026, p}) {
			t.Errorf("ParseRequest(%s) = %+v, %v", b, got, err)
		}
	}
}

func sqsMsgs(bodies ...string) []events.SQSMessage {
	msgs := make([]events.SQSMessage, len(bodies))
	for i, b := range bodies {
		msgs[i] = events.SQSMessage{MessageId: fmt.Sprintf("m%d", i), Body: b}
	}
	return msgs
}

func TestRollupPlan(t *testing.T) {
	reg := loadRegistry(t)
	parse := func(b string) (Request, error) { return ParseRequest(b, reg, testNow) }
	const (
		r19 = `{"year":2026,"province":"19"}`
		r01 = `{"year":2026,"province":"01"}`
		p25 = `{"year":2025,"province":"19"}`
		bad = `{"year":2026}`
	)
	type wantJob struct {
		req  Request
		msgs []int
	}
	cases := []struct {
		name        string
		bodies      []string
		wantJobs    []wantJob
		wantDropped []int
	}{
		{"empty batch", nil, nil, nil},
		{"one", []string{r19}, []wantJob{{Request{2026, "19"}, []int{0}}}, nil},
		{"a burst of one province is one build", []string{r19, r19, r19}, []wantJob{{Request{2026, "19"}, []int{0, 1, 2}}}, nil},
		{
			"provinces in order of first request",
			[]string{r01, r19, r01, p25, r19},
			[]wantJob{{Request{2026, "01"}, []int{0, 2}}, {Request{2026, "19"}, []int{1, 4}}, {Request{2025, "19"}, []int{3}}},
			nil,
		},
		{"same province, other year, is another build", []string{r19, p25}, []wantJob{{Request{2026, "19"}, []int{0}}, {Request{2025, "19"}, []int{1}}}, nil},
		{"spacing does not matter", []string{r19, `{ "province": "19", "year": 2026 }`}, []wantJob{{Request{2026, "19"}, []int{0, 1}}}, nil},
		{"malformed ones dropped", []string{bad, r19, "", r19}, []wantJob{{Request{2026, "19"}, []int{1, 3}}}, []int{0, 2}},
		{"only malformed", []string{bad, "{}"}, nil, []int{0, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			jobs, dropped := plan(sqsMsgs(c.bodies...), parse)
			var got []wantJob
			for _, j := range jobs {
				got = append(got, wantJob{j.req, j.msgs})
			}
			if !slices.EqualFunc(got, c.wantJobs, func(a, b wantJob) bool { return a.req == b.req && slices.Equal(a.msgs, b.msgs) }) {
				t.Errorf("jobs %+v, want %+v", got, c.wantJobs)
			}
			var gotDropped []int
			for _, d := range dropped {
				gotDropped = append(gotDropped, d.msg)
				if !errors.Is(d.err, ErrMalformed) {
					t.Errorf("dropped %d: %v", d.msg, d.err)
				}
			}
			if !slices.Equal(gotDropped, c.wantDropped) {
				t.Errorf("dropped %v, want %v", gotDropped, c.wantDropped)
			}
		})
	}
}

func TestRollupFailures(t *testing.T) {
	msgs := sqsMsgs("a", "b", "c", "d", "e")
	jobs := []job{{msgs: []int{0, 3}}, {msgs: []int{1}}, {msgs: []int{4}}} // message 2 was dropped
	cases := []struct {
		name   string
		failed []bool
		want   []string
	}{
		{"none failed", []bool{false, false, false}, []string{}},
		{"every message of a failed build, in batch order", []bool{true, false, false}, []string{"m0", "m3"}},
		{"several builds", []bool{false, true, true}, []string{"m1", "m4"}},
		{"all failed; the dropped one is not retried", []bool{true, true, true}, []string{"m0", "m1", "m3", "m4"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := failures(msgs, jobs, c.failed)
			if resp.BatchItemFailures == nil {
				t.Fatal("BatchItemFailures is nil: it would marshal as null, not []")
			}
			got := []string{}
			for _, f := range resp.BatchItemFailures {
				got = append(got, f.ItemIdentifier)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("failures %q, want %q", got, c.want)
			}
		})
	}
	b, _ := json.Marshal(failures(msgs, jobs, []bool{false, false, false}))
	if string(b) != `{"batchItemFailures":[]}` {
		t.Errorf("response JSON %s", b)
	}
}
