// Package review is the province's review of a commune's data of a year
// (issue 15): the states submitted (awaiting review), approved and returned,
// the rule every reader uses to decide what is shown and what counts
// (Effective), and the one way to change a state (Apply), which
// authorises, compare-and-swaps and writes an immutable audit record.
//
// # Changes to REVIEW_CONTRACT.md (review findings h-rev1, 2026-12-06)
//
// The contract's meanings are kept; these names changed:
//   - Review is of the commune's current data set, not of one upload: per
//     form (bieu01, bieu02) the latest accepted submission carrying it
//     (Set, form → submission_id), as the roll-up counts (a CSV carries
//     one form, so a commune's data may be two uploads). Current and
//     CurrentAccepted give it (Latest and LatestAccepted still give the
//     newest accepted upload, what an official sees first); Effective(s Status, latest Set,
//     approvedOnly bool) (State, Set) decides the shown state on the set
//     and what counts per form, with the contract's table (see Effective).
//   - Approve and return name the set by any of its submissions
//     (Action.Submission; else ErrStale) and act on the whole set.
//     Status gains forms and approved_forms (form → submission_id);
//     approved_submission is written only when the approved data is one
//     submission. A status without them (written before) is still read:
//     its submission and approved_submission stand for every form.
//   - Check gains submission: a check greys its flag only while the flag
//     is of that submission (Status.Checked). A status keeps at most
//     MaxChecks checks (checks of data no longer current are dropped when
//     a check is added; the audit keeps them); Apply refuses to write a
//     status over 768 KiB, so a status always stays readable.
//   - ForProvince skips a commune whose status cannot be read and returns
//     the others with an error wrapping ErrUnreadable naming it.
//   - Actor gains Year (ActorOf fills it from the code): Apply refuses a
//     code of another year (ErrForbidden).
//   - Comments with control characters (other than line break and tab) or
//     bidi overrides/isolates are refused (ErrBadAction); CR LF is read as
//     a line break.
//   - History includes a change whose record a crash left unwritten (from
//     Status.LastChange, below), so it never misses a change.
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
//     record second; if the process dies in between, History shows the
//     record from LastChange and the next Apply on that commune writes it
//     (same key, same bytes) before it replaces the status. So an audit
//     record is never lost and never describes a change that did not
//     happen. (Record first, status second would leave a record of a
//     change that never happened whenever the status write lost a race or
//     failed.) So every record object is of a change that took effect.
//     The query view `audit` (pipeline/rollup/reviewviews.go; the Athena
//     view of the same name) shows, like History, the records and the
//     status's LastChange when its record is not written yet (column
//     recorded false), so it shows a change as soon as it takes effect.
//   - LatestAccepted (and Uploads, Latest, Newer) read the commune's
//     receipts and give the submission_id of its latest accepted upload
//     (CurrentAccepted, Current: per form), ordered as the roll-up orders
//     them (received_at, then source key, then version). History reads a commune's audit records, oldest first.
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
//   - Action.Seen (review finding H2, 2026-12-07): the status version the
//     official acted on, SeenOf(the ETag Get gave; SeenNever when there
//     was no status). When set, Apply refuses with ErrChanged (wrapped
//     with ErrStale) if the stored status is another, on every CAS round:
//     a decision taken on a page shown before another reviewer's never
//     silently replaces it, and of N actions on one version exactly one
//     succeeds. No audit record is written for a refused action. The one
//     exception: the last change is this very action (same code, kind,
//     comment, submission: a form sent twice), which succeeds unchanged. The
//     portal sends it with every decision (approve, return, reopen) and
//     refuses a decision without it; checks are not refused for a newer
//     version (they change no decision, and racing checks all land). Empty
//     Seen (scripts, tests, other callers acting on what they read at
//     once) means no such check; the CAS still guards the write. There is
//     no CLI review command today; one should take --seen optionally.
//   - Status.ReturnedForms (JSON "returned_forms", 2026-12-07): the data
//     set last returned, kept by a later approve and cleared by a reopen
//     of the return, so TimelyFrom (timely.go) counts timeliness from the
//     first accepted upload after it: a returned file never makes a
//     commune on time (board, commune page, roll-up completeness).
//   - Status.ReturnedSubmissions (JSON "returned_submissions", status
//     version 2, review finding H-A of 2026-12-07): every submission
//     whose return stands, kept across later approvals, reopens and
//     returns (an approval of that data or a reopen of that return
//     removes it); Effective never counts one, in any mode, and shows an
//     older data set made only of them as Returned. A version 1 status
//     (written before) reads ReturnedSet in its place; WithHistory
//     derives the exact set from the audit records (ReturnedFromHistory),
//     which Apply does before writing, so statuses it writes are version
//     2. AtCutoff gives the status of an older data set (a report's
//     cut-off): Status.AsOf restricts the status to that data set's
//     submissions, and when the province acted on a later file the audit
//     records are replayed, keeping only its decisions about that data
//     (re-check findings N-1, N-2; asof.go), so the state, what counts and
//     TimelyFrom are about that data set (see returned.go).
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
// commune's current data set (the latest accepted upload of each form).
//
// Actor never holds the access code itself, only its role, unit and the
// code's short id (access.Grant.CodeID). Comments are commune-facing text
// typed by a province official: stored as typed (trimmed), escaped on
// output by html/template and the CSV writers.
package review
