package lambdareport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/xhht/xhht/pipeline/contacts"
	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/lambdaconfig"
	"github.com/xhht/xhht/pipeline/reminder"
	"github.com/xhht/xhht/pipeline/report"
	"github.com/xhht/xhht/pipeline/review"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// memSNS stands in for the SNS client at the interfaces the handler uses
// (publisher, subscriber). A mock because SNS cannot run here: there is no
// AWS access from this machine and no SNS emulator among the project's
// test tools. What it checks is what the code sends (attributes, filter
// policies, which subscriptions change), not SNS's delivery.
type memSNS struct {
	subs      map[string]*memSub // by ARN (or "pending:<endpoint>")
	published []*sns.PublishInput
	calls     []string
	failOn    string // a method name to fail
	n         int
}

type memSub struct {
	endpoint, protocol, policy string
	pending                    bool
}

func (m *memSNS) call(name string) error {
	m.calls = append(m.calls, name)
	if m.failOn == name {
		return errors.New("sns: throttled")
	}
	return nil
}

func (m *memSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	if err := m.call("Publish"); err != nil {
		return nil, err
	}
	m.published = append(m.published, in)
	return &sns.PublishOutput{MessageId: aws.String(fmt.Sprint("m", len(m.published)))}, nil
}

func (m *memSNS) ListSubscriptionsByTopic(_ context.Context, in *sns.ListSubscriptionsByTopicInput, _ ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	if err := m.call("ListSubscriptionsByTopic"); err != nil {
		return nil, err
	}
	// Two pages, as SNS pages at 100: the sync must follow NextToken.
	var all []snstypes.Subscription
	for arn, s := range m.subs {
		a := arn
		if s.pending {
			a = "PendingConfirmation"
		}
		all = append(all, snstypes.Subscription{SubscriptionArn: aws.String(a), Endpoint: aws.String(s.endpoint), Protocol: aws.String(s.protocol), TopicArn: in.TopicArn})
	}
	slices.SortFunc(all, func(a, b snstypes.Subscription) int {
		return strings.Compare(aws.ToString(a.Endpoint), aws.ToString(b.Endpoint))
	})
	half := len(all) / 2
	if in.NextToken == nil {
		return &sns.ListSubscriptionsByTopicOutput{Subscriptions: all[:half], NextToken: aws.String("p2")}, nil
	}
	return &sns.ListSubscriptionsByTopicOutput{Subscriptions: all[half:]}, nil
}

func (m *memSNS) Subscribe(_ context.Context, in *sns.SubscribeInput, _ ...func(*sns.Options)) (*sns.SubscribeOutput, error) {
	if err := m.call("Subscribe"); err != nil {
		return nil, err
	}
	if in.Attributes["FilterPolicyScope"] != "MessageAttributes" {
		return nil, errors.New("filter policy scope must be MessageAttributes")
	}
	m.n++
	m.subs[fmt.Sprint("pending:", m.n)] = &memSub{endpoint: aws.ToString(in.Endpoint), protocol: aws.ToString(in.Protocol), policy: in.Attributes["FilterPolicy"], pending: true}
	return &sns.SubscribeOutput{SubscriptionArn: aws.String("pending confirmation")}, nil
}

func (m *memSNS) GetSubscriptionAttributes(_ context.Context, in *sns.GetSubscriptionAttributesInput, _ ...func(*sns.Options)) (*sns.GetSubscriptionAttributesOutput, error) {
	if err := m.call("GetSubscriptionAttributes"); err != nil {
		return nil, err
	}
	s := m.subs[aws.ToString(in.SubscriptionArn)]
	if s == nil {
		return nil, errors.New("no such subscription")
	}
	attrs := map[string]string{"Endpoint": s.endpoint}
	if s.policy != "" {
		attrs["FilterPolicy"] = s.policy
	}
	return &sns.GetSubscriptionAttributesOutput{Attributes: attrs}, nil
}

// policies is endpoint → filter policy of the email subscriptions.
func (m *memSNS) policies() map[string]string {
	out := map[string]string{}
	for _, s := range m.subs {
		if s.protocol == "email" {
			out[s.endpoint] = s.policy
		}
	}
	return out
}

const topic = "arn:aws:sns:ap-southeast-1:123456789012:xhht-prod-reminders"

func contactsFixture(t *testing.T, csv string) (*Handler, *memSNS, *local.Store, *bytes.Buffer, json.RawMessage) {
	t.Helper()
	lk := local.New(t.TempDir())
	key := lake.ContactsKey("19")
	if err := lk.Put(context.Background(), key, []byte(csv), "text/csv"); err != nil {
		t.Fatal(err)
	}
	m := &memSNS{subs: map[string]*memSub{
		// The province official: untouched.
		"arn:aws:sns:x:1:t:official": {endpoint: "giamdoc@sgd.example.vn", protocol: "email", policy: reminder.ProvinceFilterPolicy("19")},
		// An address dropped from the file: counted as dropped.
		"arn:aws:sns:x:1:t:old": {endpoint: "cu@example.vn", protocol: "email", policy: reminder.FilterPolicy("01849")},
		// A commune address of another province (Hà Nội 00004): untouched.
		"arn:aws:sns:x:1:t:hn": {endpoint: "hn@example.vn", protocol: "email", policy: reminder.FilterPolicy("00004")},
		// Listed in the file and confirmed, with other communes: counted as changed.
		"arn:aws:sns:x:1:t:kept": {endpoint: "vanthu@example.vn", protocol: "email", policy: reminder.FilterPolicy("01864")},
		// An SMS gateway: untouched.
		"arn:aws:sns:x:1:t:sms": {endpoint: "https://sms.example.vn/hook", protocol: "https"},
	}}
	logs := &bytes.Buffer{}
	h, err := NewWithLake(Config{Lake: lambdaconfig.Lake{Bucket: "lake"}, Provinces: []string{"19"}, TopicARN: topic, WorkRoot: t.TempDir()}, lk, m, NewLogger(logs))
	if err != nil {
		t.Fatal(err)
	}
	h.now = func() time.Time { return time.Date(2026, 11, 20, 8, 0, 0, 0, deadlines.ICT) }
	// EventBridge's S3 "Object Created" event, as the rule delivers it.
	ev := json.RawMessage(`{"version":"0","id":"e1","detail-type":"Object Created","source":"aws.s3","account":"123456789012",
  "time":"2026-11-20T01:00:00Z","region":"ap-southeast-1","resources":["arn:aws:s3:::lake"],
  "detail":{"version":"0","bucket":{"name":"lake"},"object":{"key":"config/contacts/province=19.csv","size":100,"etag":"x","version-id":""},
  "request-id":"r","requester":"123456789012","reason":"PutObject"}}`)
	return h, m, lk, logs, ev
}

func TestContactsAcceptedSubscribes(t *testing.T) {
	csv := "ma_xa,ten_xa,email,dien_thoai\n" +
		"01840,Phường Đức Xuân,Moi.DucXuan@Example.vn,0912 345 678\n" +
		"01843,Phường Bắc Kạn,vanthu@example.vn,\n" +
		"01840,Phường Đức Xuân,vanthu@example.vn,\n"
	h, m, lk, logs, ev := contactsFixture(t, csv)
	if _, err := h.Invoke(context.Background(), ev); err != nil { // the entry point dispatches S3 events to HandleObjectCreated
		t.Fatalf("%v\n%s", err, logs)
	}
	want := map[string]string{
		"giamdoc@sgd.example.vn": reminder.ProvinceFilterPolicy("19"),
		"hn@example.vn":          `{"commune_code":["00004"]}`,
		"vanthu@example.vn":      `{"commune_code":["01864"]}`, // not changed by the function
		"moi.ducxuan@example.vn": `{"commune_code":["01840"]}`, // new: subscribed, lower-cased
		"cu@example.vn":          `{"commune_code":["01849"]}`, // not removed by the function
	}
	got := m.policies()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: policy %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("subscriptions %v", got)
	}
	for _, c := range m.calls {
		if c != "ListSubscriptionsByTopic" && c != "GetSubscriptionAttributes" && c != "Subscribe" {
			t.Errorf("SNS call %s: the role allows only listing, reading and subscribing", c)
		}
	}
	if !strings.Contains(logs.String(), `"subscribed":1,"pending":0,"current":0,"changed":1,"dropped":1`) {
		t.Errorf("log lacks the subscription counts:\n%s", logs)
	}
	// The receipt is in the lake, under the protected prefix.
	objs, err := lk.List(context.Background(), lake.ContactsReceiptPrefix("19"))
	if err != nil || len(objs) != 1 {
		t.Fatalf("receipts %v %v", objs, err)
	}
	b, _, _ := lk.Get(context.Background(), objs[0].Key, "")
	var rc contacts.Receipt
	if err := json.Unmarshal(b, &rc); err != nil || rc.Status != contacts.Accepted || rc.Contacts != 3 || rc.Communes != 2 || rc.SourceKey != lake.ContactsKey("19") {
		t.Errorf("receipt %+v (%v)", rc, err)
	}
	noPersonalData(t, logs.String(), "moi.ducxuan", "vanthu@", "cu@example", "0912", "345 678")
}

func TestContactsRejectedChangesNothing(t *testing.T) {
	h, m, lk, logs, ev := contactsFixture(t, "ma_xa,email,dien_thoai\n01840,sai.example.vn,0912 345 678\n99999,ok@example.vn,\n")
	before := m.policies()
	if _, err := h.Invoke(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if len(m.calls) != 0 {
		t.Errorf("SNS calls for a rejected file: %v", m.calls)
	}
	if got := m.policies(); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("subscriptions changed: %v → %v", before, got)
	}
	objs, _ := lk.List(context.Background(), lake.ContactsReceiptPrefix("19"))
	if len(objs) != 1 {
		t.Fatalf("%d receipts", len(objs))
	}
	b, _, _ := lk.Get(context.Background(), objs[0].Key, "")
	var rc contacts.Receipt
	_ = json.Unmarshal(b, &rc)
	if rc.Status != contacts.Rejected || rc.ErrorCount != 2 {
		t.Errorf("receipt %+v", rc)
	}
	if !strings.Contains(logs.String(), `"status":"rejected"`) || !strings.Contains(logs.String(), `"errors":2`) {
		t.Errorf("log lacks the outcome:\n%s", logs)
	}
	noPersonalData(t, logs.String(), "sai.example", "ok@example", "0912", "345 678")
}

// An SNS failure fails the invocation (Lambda retries it, then the report
// dead-letter queue), and is logged without the addresses.
func TestContactsSNSFailureRetries(t *testing.T) {
	h, m, _, logs, ev := contactsFixture(t, "ma_xa,email\n01840,new@example.vn\n")
	m.failOn = "Subscribe"
	if _, err := h.Invoke(context.Background(), ev); err == nil {
		t.Fatal("an SNS failure did not fail the invocation")
	}
	noPersonalData(t, logs.String(), "new@example")
}

func noPersonalData(t *testing.T, logs string, data ...string) {
	t.Helper()
	if logs == "" {
		t.Fatal("no log at all: the test would prove nothing")
	}
	for _, d := range data {
		if strings.Contains(strings.ToLower(logs), strings.ToLower(d)) {
			t.Errorf("the log contains personal data %q:\n%s", d, logs)
		}
	}
}

// Commune reminders: one message per commune that has to act, with the
// commune_code attribute its subscriptions filter on; the province summary
// is still published, without it.
func TestCommuneRemindersPublished(t *testing.T) {
	f := newFixture(t, []string{"19"}, true)
	m := &memSNS{subs: map[string]*memSub{}}
	f.h.sns = m
	f.h.remind = func(_ context.Context, o report.RemindOptions) (*report.Reminder, error) {
		c := reminder.Commune{Year: 2026, Deadline: "12-15", DeadlineName: "Báo cáo", Province: "19", ProvinceName: "Tỉnh Thái Nguyên",
			DueAt: time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC), At: o.At}
		missing, returned := c, c
		missing.Code, missing.Name, missing.Upload = "01879", "Xã Cao Minh", reminder.Missing
		returned.Code, returned.Name, returned.Upload, returned.Review, returned.Comment = "01840", "Phường Đức Xuân", reminder.Accepted, review.Returned, "Thiếu thôn Nà Pục"
		return &report.Reminder{Year: 2026, Deadline: "12-15", Province: "19", ProvinceName: "Tỉnh Thái Nguyên", At: o.At,
			DueAt: c.DueAt, Expected: 2, Missing: []report.ReminderCommune{{Code: "01879", Name: "Xã Cao Minh"}},
			Rejected: []report.ReminderCommune{}, Returned: []report.ReminderCommune{{Code: "01840", Name: "Phường Đức Xuân", Reason: "Thiếu thôn Nà Pục"}},
			Communes: []reminder.Commune{missing, returned}}, nil
	}
	res, err := f.h.Handle(context.Background(), json.RawMessage(`{"kind":"reminder","deadline":"12-15","province":"19"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Provinces[0].Status != StatusPublished || res.Provinces[0].Communes != 2 || len(m.published) != 3 {
		t.Fatalf("result %+v, %d messages", res.Provinces[0], len(m.published))
	}
	if _, has := m.published[0].MessageAttributes[AttrCommune]; has {
		t.Error("the province summary carries commune_code: every commune would receive it")
	}
	for i, code := range []string{"01879", "01840"} {
		in := m.published[i+1]
		a := in.MessageAttributes
		if aws.ToString(a[AttrCommune].StringValue) != code || aws.ToString(a[AttrCommune].DataType) != "String" ||
			aws.ToString(a[AttrProvince].StringValue) != "19" || aws.ToString(a[AttrKind].StringValue) != "reminder" ||
			aws.ToString(a[AttrYear].StringValue) != "2026" || aws.ToString(a[AttrDeadline].StringValue) != "12-15" {
			t.Errorf("message %d attributes %+v", i+1, a)
		}
		if aws.ToString(in.TopicArn) != f.h.cfg.TopicARN {
			t.Errorf("topic %s", aws.ToString(in.TopicArn))
		}
	}
	if !strings.Contains(aws.ToString(m.published[2].Message), "Ý kiến của Sở: Thiếu thôn Nà Pục") {
		t.Errorf("the returned commune's message lacks the comment:\n%s", aws.ToString(m.published[2].Message))
	}
}
