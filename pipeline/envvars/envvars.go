// Package envvars is the one list of the environment variables the Lambda
// functions read. The functions' ConfigFromEnv read their names from here,
// and infra's tests check both sides against it: every variable the code of
// a function reads (found by scanning its packages' os.Getenv calls) is in
// the function's list, and infra/template.yaml sets exactly the deployed
// ones of each function — no missing setting, none the code ignores.
package envvars

import "slices"

// Names of the variables.
const (
	LakeBucket     = "LAKE_BUCKET"      // lake bucket name (required)
	LakePrefix     = "LAKE_PREFIX"      // key prefix inside the lake bucket; "" = none
	UploadsBucket  = "UPLOADS_BUCKET"   // the only bucket whose events ingest processes
	MaxUploadMB    = "MAX_UPLOAD_MB"    // larger uploads get a file-too-large receipt
	RollupQueueURL = "ROLLUP_QUEUE_URL" // where ingest asks for roll-ups
	Provinces      = "PROVINCES"        // provinces served by the report function
	TopicARN       = "TOPIC_ARN"        // SNS topic of the reminders
	DuckDBMemory   = "XHHT_DUCKDB_MEMORY"
	DuckDBThreads  = "XHHT_DUCKDB_THREADS"
	// The portal's own address (https://…): its Origin check and printed links.
	PublicURL = "PUBLIC_URL"
	// Name of the SSM SecureString parameter holding the portal's session keys.
	SessionKeysParameter = "SESSION_KEYS_PARAMETER"

	// S3-compatible servers and tests only: never set in AWS.
	S3Endpoint       = "S3_ENDPOINT"
	S3ForcePathStyle = "S3_FORCE_PATH_STYLE"
	SQSEndpoint      = "SQS_ENDPOINT"
	SNSEndpoint      = "SNS_ENDPOINT"
	SSMEndpoint      = "SSM_ENDPOINT"

	// RuntimeAPI is set by Lambda itself (the Runtime API address).
	RuntimeAPI = "AWS_LAMBDA_RUNTIME_API"
)

// Kind says who sets a variable.
type Kind int

const (
	// Deployed variables are set by the template for the function.
	Deployed Kind = iota
	// Local variables point the function at an S3-compatible server or a
	// test double; the template must not set them.
	Local
	// Runtime variables are set by the Lambda service.
	Runtime
)

// Var is one variable a function reads.
type Var struct {
	Name string
	Kind Kind
}

// Function names: the directories under functions/.
const (
	Ingest = "ingest"
	Rollup = "rollup"
	Report = "report"
	Portal = "portal"
)

// s3 are the variables every function's S3 client reads.
var s3 = []Var{
	{LakeBucket, Deployed}, {LakePrefix, Deployed},
	{S3Endpoint, Local}, {S3ForcePathStyle, Local},
	{RuntimeAPI, Runtime},
}

// duck are read by pipeline/rollup's DuckDB set-up, which the roll-up and
// the report functions both run.
var duck = []Var{{DuckDBMemory, Deployed}, {DuckDBThreads, Deployed}}

var byFunction = map[string][]Var{
	Ingest: concat(s3, []Var{
		{UploadsBucket, Deployed}, {MaxUploadMB, Deployed}, {RollupQueueURL, Deployed},
		{SQSEndpoint, Local},
	}),
	Rollup: concat(s3, duck),
	Report: concat(s3, duck, []Var{
		{Provinces, Deployed}, {TopicARN, Deployed}, {SNSEndpoint, Local},
	}),
	Portal: concat(s3, []Var{
		{UploadsBucket, Deployed}, {MaxUploadMB, Deployed}, {PublicURL, Deployed},
		{SessionKeysParameter, Deployed}, {SSMEndpoint, Local},
	}),
}

func concat(lists ...[]Var) []Var {
	var out []Var
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Functions lists the functions, sorted.
func Functions() []string { return []string{Ingest, Portal, Report, Rollup} }

// For lists the variables a function reads (nil for an unknown function).
func For(function string) []Var { return slices.Clone(byFunction[function]) }

// Names lists the names of a function's variables of one kind, sorted.
func Names(function string, kind Kind) []string {
	var out []string
	for _, v := range byFunction[function] {
		if v.Kind == kind {
			out = append(out, v.Name)
		}
	}
	slices.Sort(out)
	return out
}
