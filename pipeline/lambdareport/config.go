// Package lambdareport is the report function without the Lambda runtime.
// EventBridge Scheduler invokes it with a deadlines.Payload — {"kind":
// "report"|"reminder", "deadline": "12-15", "year": 2026, "province": "19"},
// year and province optional — on the schedules of deadlines.Schedules:
//
//   - kind report, at the deadline's cut-off (plus deadlines.ReportDelay):
//     report.Build and report.WriteAll per province, the .xlsx, .html and
//     .csv uploaded to the lake under
//     reports/<year>/<deadline>/province=<P>/<file name>;
//   - kind reminder, 7 and 1 days (the data's offsets) before the commune
//     due date: report.Remind at the invocation time per province, one SNS
//     message per province with communes to remind when TOPIC_ARN is set,
//     else one log line with the text; then one message per commune that
//     has to act, with the commune_code attribute (communes.go).
//
// It is also invoked by EventBridge with the lake's S3 "Object Created"
// events of contacts files (config/contacts/province=<P>.csv): checked,
// receipt written, addresses subscribed (contacts.go). Invoke dispatches.
//
// functions/report is the thin main package around it.
package lambdareport

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/xhht/xhht/pipeline/envvars"
	"github.com/xhht/xhht/pipeline/lambdaconfig"
)

// Config is the function's configuration, from its environment. The S3
// variables mean what they mean for the ingest and roll-up functions.
type Config struct {
	Lake lambdaconfig.Lake // LAKE_BUCKET, LAKE_PREFIX, S3_ENDPOINT, S3_FORCE_PATH_STYLE
	// Provinces (PROVINCES, required: "19" or "01,19,…") are the provinces
	// served: what a payload without a province means. The schedules must
	// be generated for the same list (deadlines.ScheduleJSON).
	Provinces []string
	// TopicARN (TOPIC_ARN, optional) is the SNS topic reminders are
	// published to; unset, reminders are only logged.
	TopicARN string
	// SNSEndpoint (SNS_ENDPOINT) overrides the SNS endpoint, for tests.
	SNSEndpoint string
	// WorkRoot is where each invocation gets its scratch directory:
	// os.TempDir(), i.e. TMPDIR or /tmp, the only writable place in Lambda.
	WorkRoot string
}

// topicARN is an SNS topic ARN: arn:<partition>:sns:<region>:<account>:<name>.
var topicARN = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)

// ConfigFromEnv reads the configuration from the environment. Every
// problem is reported at once: the function then fails its init, which is
// louder than failing every scheduled invocation later.
func ConfigFromEnv() (Config, error) {
	lake, errs := lambdaconfig.LakeFromEnv()
	c := Config{
		Lake:        lake,
		TopicARN:    strings.TrimSpace(os.Getenv(envvars.TopicARN)),
		SNSEndpoint: strings.TrimSpace(os.Getenv(envvars.SNSEndpoint)),
		WorkRoot:    os.TempDir(),
	}
	var err error
	if c.Provinces, err = ParseProvinces(os.Getenv(envvars.Provinces)); err != nil {
		errs = append(errs, err)
	}
	if c.TopicARN != "" && !topicARN.MatchString(c.TopicARN) {
		errs = append(errs, fmt.Errorf("TOPIC_ARN=%q is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)", c.TopicARN))
	}
	if c.SNSEndpoint != "" {
		if err := lambdaconfig.CheckEndpoint(c.SNSEndpoint); err != nil {
			errs = append(errs, fmt.Errorf("SNS_ENDPOINT: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("lambdareport: config: %w", err)
	}
	return c, nil
}

// ParseProvinces reads PROVINCES: 2-digit codes separated by commas
// (spaces allowed), at least one, none twice; returned sorted.
func ParseProvinces(v string) ([]string, error) {
	if strings.TrimSpace(v) == "" {
		return nil, errors.New("PROVINCES is not set (the provinces served, e.g. 19 or 01,19)")
	}
	var out []string
	for _, f := range strings.Split(v, ",") {
		p := strings.TrimSpace(f)
		if len(p) != 2 || strings.Trim(p, "0123456789") != "" {
			return nil, fmt.Errorf("PROVINCES=%q: %q is not a 2-digit province code", v, p)
		}
		if slices.Contains(out, p) {
			return nil, fmt.Errorf("PROVINCES=%q: %s listed twice", v, p)
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return out, nil
}
