package lambdareport

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/reminder"
	"github.com/xhht/xhht/pipeline/report"
)

// AttrCommune is the message attribute of a commune's own reminder; each
// commune's addresses are subscribed with reminder.FilterPolicy(code), so
// they receive only their commune's messages (docs/reminders.md).
const AttrCommune = reminder.AttrCommune

// publishCommunes publishes, after the province summary, one message per
// commune that has to act (report.Reminder.Communes). A failure stops the
// province: the invocation is retried, and reminders are at-least-once.
func (h *Handler) publishCommunes(ctx context.Context, rem *report.Reminder) (int, error) {
	n := 0
	for _, c := range rem.Communes {
		if _, err := h.sns.Publish(ctx, CommunePublishInput(h.cfg.TopicARN, c)); err != nil {
			return n, fmt.Errorf("lambdareport: publish the reminder of commune %s: %w", c.Code, err)
		}
		n++
	}
	return n, nil
}

// CommunePublishInput is a commune's reminder message: its Vietnamese text
// (reminder.Commune.Text, what the portal shows too), an ASCII subject,
// and the attributes kind, province, deadline, year and commune_code.
func CommunePublishInput(topic string, c reminder.Commune) *sns.PublishInput {
	str := func(v string) snstypes.MessageAttributeValue {
		return snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	return &sns.PublishInput{
		TopicArn: aws.String(topic),
		Subject:  aws.String(c.Subject()),
		Message:  aws.String(c.Text()),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			reminder.AttrKind:     str(deadlines.KindReminder),
			reminder.AttrProvince: str(c.Province),
			reminder.AttrDeadline: str(c.Deadline),
			reminder.AttrYear:     {DataType: aws.String("Number"), StringValue: aws.String(fmt.Sprint(c.Year))},
			reminder.AttrCommune:  str(c.Code),
		},
	}
}
