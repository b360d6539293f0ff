package lambdaingest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// RollupRequest is the body of the message sent to ROLLUP_QUEUE_URL when
// uploads of a province are accepted: {"year":2026,"province":"19"}. The
// roll-up function (pipeline/lambdarollup) rebuilds that province and the
// nation from the lake.
type RollupRequest struct {
	Year     int    `json:"year"`
	Province string `json:"province"`
}

// Status of the log line about a roll-up request.
const StatusQueued = "queued" // the request is in the roll-up queue

// rollupSender is the part of the SQS client the handler uses; tests give a
// fake.
type rollupSender interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// newSQSClient builds an SQS client from the SDK's default configuration,
// with endpoint (if not "") instead of AWS's. Loading the configuration
// reads the environment and the shared config files; no network call.
func newSQSClient(ctx context.Context, endpoint string) (*sqs.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqs: load config: %w", err)
	}
	return sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}), nil
}

// requestRollups sends one roll-up request per (year, province) of the
// accepted uploads, in order of first acceptance, and returns the ones
// whose request could not be sent. Sending once per province, not per
// upload, keeps a batch of one commune's re-uploads to one message.
func (h *Handler) requestRollups(ctx context.Context, reqs []RollupRequest, msgIDs map[RollupRequest][]string) map[RollupRequest]bool {
	failed := map[RollupRequest]bool{}
	for _, r := range reqs {
		if err := h.sendRollup(ctx, r); err != nil {
			failed[r] = true
			h.log.LogAttrs(ctx, slog.LevelError, "roll-up request failed",
				slog.Int("year", r.Year), slog.String("province", r.Province), slog.Any("sqs_message_ids", msgIDs[r]),
				slog.String("status", StatusFailed), slog.String("error", err.Error()), requestID(ctx))
			continue
		}
		h.log.LogAttrs(ctx, slog.LevelInfo, "roll-up requested",
			slog.Int("year", r.Year), slog.String("province", r.Province), slog.Any("sqs_message_ids", msgIDs[r]),
			slog.String("status", StatusQueued), requestID(ctx))
	}
	return failed
}

func (h *Handler) sendRollup(ctx context.Context, r RollupRequest) error {
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("lambdaingest: roll-up request: %w", err)
	}
	// The SDK's standard retryer already retries throttling and 5xx.
	if _, err := h.queue.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(h.cfg.RollupQueueURL),
		MessageBody: aws.String(string(body)),
	}); err != nil {
		return fmt.Errorf("lambdaingest: send roll-up request %s to %s: %w", body, h.cfg.RollupQueueURL, err)
	}
	return nil
}
