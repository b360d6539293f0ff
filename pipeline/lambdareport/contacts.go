package lambdareport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/xhht/xhht/pipeline/contacts"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/reminder"
	"github.com/xhht/xhht/pipeline/storage"
)

// Contacts files (issue 15). When a province puts
// config/contacts/province=<P>.csv in the lake, an EventBridge rule on the
// lake's S3 events invokes this function (infra: ContactsRule), which:
//
//  1. checks it (pipeline/contacts) and writes the Vietnamese receipt at
//     lake.ContactsReceiptKey — the province reads it there;
//  2. reads the province's current file (not the version of the event:
//     two versions handled out of order must not leave the older one in
//     force) and, when it is accepted and a topic is configured,
//     subscribes each new address with the filter policy of the communes
//     it serves (reminder.FilterPolicy). SNS sends it a confirmation mail;
//     reminders reach it once it is confirmed. Addresses whose communes
//     changed or that left the file are counted in the log line (see
//     subscriber for why they are not changed here).
//
// Only this function and the province read the contacts (IAM, infra). Its
// log lines carry counts, keys and codes, never an address or a phone
// number.

// subscriber is the part of the SNS client the contacts sync uses. Only
// these: Subscribe and ListSubscriptionsByTopic can be limited to the
// reminder topic in IAM, GetSubscriptionAttributes only reads. Changing
// or removing a subscription (SetSubscriptionAttributes, Unsubscribe)
// cannot be limited to one topic in IAM (those actions have no resource
// type), so the function does not do it: it counts such subscriptions and
// docs/reminders.md says how an operator fixes them.
type subscriber interface {
	ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, optFns ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error)
	Subscribe(ctx context.Context, in *sns.SubscribeInput, optFns ...func(*sns.Options)) (*sns.SubscribeOutput, error)
	GetSubscriptionAttributes(ctx context.Context, in *sns.GetSubscriptionAttributesInput, optFns ...func(*sns.Options)) (*sns.GetSubscriptionAttributesOutput, error)
}

// Invoke is the function's entry point: an S3 "Object Created" event
// from EventBridge (a contacts file) or a scheduled payload (Handle).
func (h *Handler) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev events.CloudWatchEvent
	if json.Unmarshal(raw, &ev) == nil && ev.Source == "aws.s3" {
		return nil, h.HandleObjectCreated(ctx, ev)
	}
	return h.Handle(ctx, raw)
}

// s3Detail is the detail of EventBridge's S3 "Object Created" event.
type s3Detail struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key       string `json:"key"`
		VersionID string `json:"version-id"`
	} `json:"object"`
}

// contactsKey parses config/contacts/province=<P>.csv (after the lake prefix).
func contactsKey(key string) (province string, ok bool) { return lake.ParseContactsKey(key) }

// HandleObjectCreated handles a lake object the EventBridge rule sends:
// a contacts file. An error fails the (asynchronous) invocation, which
// Lambda retries twice and then sends to the report dead-letter queue.
func (h *Handler) HandleObjectCreated(ctx context.Context, ev events.CloudWatchEvent) error {
	var d s3Detail
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return fmt.Errorf("lambdareport: S3 event detail: %w", err)
	}
	if ev.DetailType != "Object Created" || (h.cfg.Lake.Bucket != "" && d.Bucket.Name != h.cfg.Lake.Bucket) {
		h.log.LogAttrs(ctx, slog.LevelWarn, "contacts: not an object of the lake, ignored", slog.String("detail_type", ev.DetailType),
			slog.String("bucket", d.Bucket.Name), requestID(ctx))
		return nil
	}
	if err := h.contactsFile(ctx, d.Object.Key, d.Object.VersionID); err != nil {
		h.log.LogAttrs(ctx, slog.LevelError, "contacts failed", slog.String("status", StatusFailed), slog.String("error", err.Error()),
			slog.String("key", d.Object.Key), requestID(ctx))
		return fmt.Errorf("lambdareport: contacts %s: %w", d.Object.Key, err)
	}
	return nil
}

// maxContactsRead bounds the read: a bigger file is rejected unread.
const maxContactsRead = contacts.MaxBytes + 1

func (h *Handler) contactsFile(ctx context.Context, key, version string) error {
	key = strings.TrimPrefix(key, h.cfg.Lake.Prefix)
	prov, ok := contactsKey(key)
	if !ok {
		h.log.LogAttrs(ctx, slog.LevelInfo, "contacts: not a contacts file, ignored", slog.String("key", key), requestID(ctx))
		return nil
	}
	rc, _, err := h.checkContacts(ctx, key, version, prov)
	if err != nil {
		return err
	}
	rkey := lake.ContactsReceiptKey(prov, rc.ReceivedAt, rc.ID)
	js, err := json.MarshalIndent(rc, "", "  ")
	if err != nil {
		return err
	}
	if err := h.lake.Put(ctx, rkey, js, "application/json"); err != nil {
		return fmt.Errorf("write receipt %s: %w", rkey, err)
	}
	attrs := []slog.Attr{slog.String("province", prov), slog.String("key", key), slog.String("status", rc.Status),
		slog.Int("contacts", rc.Contacts), slog.Int("communes", rc.Communes), slog.Int("errors", rc.ErrorCount),
		slog.Int("warnings", rc.WarningCount), slog.String("receipt", rkey), requestID(ctx)}
	// The current file decides the subscriptions.
	sub, ok := h.sns.(subscriber)
	if h.sns == nil || !ok {
		h.log.LogAttrs(ctx, slog.LevelInfo, "contacts checked", append(attrs, slog.String("subscriptions", "no topic"))...)
		return nil
	}
	cur, cs, err := h.checkContacts(ctx, key, "", prov)
	if errors.Is(err, storage.ErrNotFound) {
		h.log.LogAttrs(ctx, slog.LevelInfo, "contacts checked", append(attrs, slog.String("subscriptions", "file removed"))...)
		return nil
	}
	if err != nil {
		return err
	}
	if cur.Status != contacts.Accepted {
		h.log.LogAttrs(ctx, slog.LevelInfo, "contacts checked", append(attrs, slog.String("subscriptions", "unchanged: the current file is rejected"))...)
		return nil
	}
	st, err := SyncSubscriptions(ctx, sub, h.cfg.TopicARN, prov, h.reg.ForYear(h.now().In(time.UTC).Year()), cs)
	if err != nil {
		return err
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "contacts checked", append(attrs, slog.Int("subscribed", st.Subscribed), slog.Int("pending", st.Pending),
		slog.Int("current", st.Current), slog.Int("changed", st.Changed), slog.Int("dropped", st.Dropped))...)
	return nil
}

// checkContacts reads one version ("" current) of a contacts file and checks it.
func (h *Handler) checkContacts(ctx context.Context, key, version, prov string) (*contacts.Receipt, []contacts.Contact, error) {
	body, obj, err := storage.GetAtMost(ctx, h.lake, key, version, maxContactsRead)
	if err != nil && !errors.Is(err, storage.ErrTooLarge) {
		return nil, nil, fmt.Errorf("read %s: %w", key, err)
	}
	if errors.Is(err, storage.ErrTooLarge) {
		body = make([]byte, maxContactsRead) // rejected as too large, unread
	}
	ver := h.reg.ForYear(h.now().In(time.UTC).Year())
	if ver == nil {
		return nil, nil, fmt.Errorf("no administrative-unit register for %d", h.now().Year())
	}
	rc, cs := contacts.Check(body, prov, ver)
	if version == "" {
		version = obj.VersionID
	}
	if version == "" {
		version = obj.ETag
	}
	rc.SourceKey, rc.SourceVersion, rc.ReceivedAt, rc.ID = key, version, obj.LastModified.UTC(), contacts.ID(key, version)
	return rc, cs, nil
}

// SyncStats counts what SyncSubscriptions did and found.
type SyncStats struct {
	Subscribed int // new addresses subscribed (SNS mails them a confirmation)
	Pending    int // listed addresses still to confirm their subscription
	Current    int // listed addresses subscribed with the right filter
	// Changed: listed addresses subscribed with another filter policy
	// (their communes changed); Dropped: addresses subscribed to communes
	// of this province that the file no longer lists. Both are for an
	// operator to fix (docs/reminders.md).
	Changed, Dropped int
}

// SyncSubscriptions subscribes each address of cs not yet subscribed to
// the topic, with the filter policy of every commune it serves, and counts
// the subscriptions that differ from the file. Other subscriptions (the
// province officials', SMS gateways, other provinces) are only read.
func SyncSubscriptions(ctx context.Context, s subscriber, topic, province string, ver *registry.Version, cs []contacts.Contact) (SyncStats, error) {
	var st SyncStats
	want := map[string][]string{} // address → communes
	for _, c := range cs {
		want[c.Email] = append(want[c.Email], c.Commune)
	}
	have := map[string]string{} // address → subscription ARN
	var next *string
	for {
		out, err := s.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic), NextToken: next})
		if err != nil {
			return st, fmt.Errorf("list subscriptions: %w", err)
		}
		for _, sub := range out.Subscriptions {
			if aws.ToString(sub.Protocol) == "email" {
				have[strings.ToLower(aws.ToString(sub.Endpoint))] = aws.ToString(sub.SubscriptionArn)
			}
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	policyOf := func(arn string) (string, error) {
		out, err := s.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(arn)})
		if err != nil {
			return "", fmt.Errorf("read a subscription's filter: %w", err)
		}
		return out.Attributes["FilterPolicy"], nil
	}
	addrs := make([]string, 0, len(want))
	for a := range want {
		addrs = append(addrs, a)
	}
	slices.Sort(addrs)
	for _, a := range addrs {
		policy := reminder.FilterPolicy(want[a]...)
		arn, ok := have[a]
		switch {
		case ok && !strings.HasPrefix(arn, "arn:"): // "PendingConfirmation"
			st.Pending++
		case ok:
			p, err := policyOf(arn)
			if err != nil {
				return st, err
			}
			if samePolicy(p, policy) {
				st.Current++
			} else {
				st.Changed++
			}
		default:
			if _, err := s.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("email"), Endpoint: aws.String(a),
				ReturnSubscriptionArn: true,
				Attributes:            map[string]string{"FilterPolicy": policy, "FilterPolicyScope": "MessageAttributes"}}); err != nil {
				return st, fmt.Errorf("subscribe an address: %w", err)
			}
			st.Subscribed++
		}
	}
	for a, arn := range have {
		if _, ok := want[a]; ok || !strings.HasPrefix(arn, "arn:") {
			continue
		}
		p, err := policyOf(arn)
		if err != nil {
			return st, err
		}
		if communesOf(p, province, ver) {
			st.Dropped++
		}
	}
	return st, nil
}

// samePolicy compares two filter policies as JSON values.
func samePolicy(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

// communesOf: the policy is a commune policy (only commune_code, plain
// codes) whose communes all belong to province. Commune codes do not
// carry their province, so the register says.
func communesOf(policy, province string, ver *registry.Version) bool {
	var p map[string][]string
	if json.Unmarshal([]byte(policy), &p) != nil || len(p) != 1 || len(p[reminder.AttrCommune]) == 0 {
		return false
	}
	for _, c := range p[reminder.AttrCommune] {
		u := ver.Communes[c]
		if u == nil || u.ProvinceCode != province {
			return false
		}
	}
	return true
}
