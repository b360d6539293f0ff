// Package review is the province's review of a commune's data of a year
// (issue 15): the states submitted (awaiting review), approved and returned,
// the rule every reader uses to decide what is shown and what counts
// (Effective), and the one way to change a state (Apply), which
// authorises, compare-and-swaps and writes an immutable audit record.
//
// # What is stored
//
//	reviews/year=<Y>/province=<P>/commune=<C>.json        Status: the state after the last action
//	audit/year=<Y>/province=<P>/commune=<C>/<at>-<id>.json Record: one per change, never rewritten
//
// A missing Status means the commune was never reviewed. Status changes
// only by storage.Writer.PutIf against the ETag just read (an S3
// conditional write; a file lock locally), re-read and re-validated on a
// lost race, so two reviewers acting at once never lose an update, as the
// roll-up commits its manifests. Audit records are written create-only.
//
// # Contract (REVIEW_CONTRACT.md), and what this package adds
//
// The types, Get, ForProvince, Effective, Apply and the errors are as in
// the contract. Additions, which change none of its names or meanings:
//   - Status.LastChange (JSON "last_change") is the audit record of the
//     change that produced the status. The status is written first and its
//     record second; if the process dies in between, the next Apply on that
//     commune writes the missing record from LastChange (same key, same
//     bytes). So an audit record is never lost and never describes a change
//     that did not happen.
//   - LatestAccepted (and Uploads, Latest, Newer) read the commune's
//     receipts and give the submission_id of its latest accepted upload,
//     ordered as the roll-up orders them (received_at, then source key,
//     then version). History reads a commune's audit records, oldest first.
//   - Record (an audit record), the Kind* constants, ActorOf (the actor of
//     a signed-in access.Grant), State.Label (Vietnamese), MaxCommentRunes,
//     and ErrBadAction (malformed action: kind, codes, comment too long,
//     flag id).
//   - Idempotence: approving what is already approved, reopening what is
//     already open, or repeating the same return or check changes nothing,
//     writes no audit record and returns the current status with a nil
//     error, so two reviewers approving at once both see "approved" and
//     exactly one record exists.
//   - Each change of a commune is timed strictly after the one before it
//     (a clock behind moves to just after), so audit keys sort in the
//     order of the changes.
//   - Reopen applies to an approved or a returned commune (it also
//     cancels a return); reopening one never reviewed is ErrStale.
//   - Returning data that is the approved data (Approved A, return A)
//     withdraws the approval: ApprovedSubmission is cleared, so a returned
//     file never counts.
//   - Apply also needs the commune to have an accepted upload for every
//     action (approve, return, check) except reopen of an existing status:
//     a province cannot create review states for communes that sent
//     nothing, nor for communes of another province (their uploads are
//     rejected for province-mismatch, so they have no accepted upload).
//
// Review is of the commune's year, not of one form: it is about the
// latest accepted upload, which normally carries both forms.
//
// Actor never holds the access code itself, only its role, unit and the
// code's short id (access.Grant.CodeID). Comments are commune-facing text
// typed by a province official: stored as typed (trimmed), escaped on
// output by html/template and the CSV writers.
package review
