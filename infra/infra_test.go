package infra_test

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/intrinsics"
	"github.com/awslabs/goformation/v7/schema"
	"github.com/xeipuuv/gojsonschema"

	"github.com/xhht/xhht/infra"
	"github.com/xhht/xhht/infra/artifact"
	"github.com/xhht/xhht/pipeline/envvars"
	"github.com/xhht/xhht/pipeline/lambdaportal"
	"github.com/xhht/xhht/pipeline/storage"
)

// root is the module root: tests run in infra/.
const root = ".."

// tmpl is the template as a generic document: YAML converted to JSON with
// the intrinsic functions left as they are ({"Ref": …}, {"Fn::Sub": …}).
type tmpl struct {
	raw []byte
	doc map[string]any
}

func load(t *testing.T) tmpl {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, infra.TemplatePath))
	if err != nil {
		t.Fatal(err)
	}
	js, err := intrinsics.ProcessYAML(raw, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		t.Fatalf("template: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	return tmpl{raw, doc}
}

// resources returns the resources of a type by logical id.
func (tp tmpl) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tp.doc["Resources"].(map[string]any) {
		if m := r.(map[string]any); m["Type"] == typ {
			out[id] = m
		}
	}
	return out
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

// get walks a path of map keys.
func get(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func num(t *testing.T, v any) float64 {
	t.Helper()
	switch x := v.(type) {
	case float64:
		return x
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			t.Fatalf("%q is not a number", x)
		}
		return f
	}
	t.Fatalf("%v (%T) is not a number", v, v)
	return 0
}

// refTo is the logical id an intrinsic names: {"Ref": id}, {"Fn::GetAtt":
// "id.Attr" or [id, attr]}; "" otherwise.
func refTo(v any) string {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return ""
	}
	if r, ok := m["Ref"].(string); ok {
		return r
	}
	switch g := m["Fn::GetAtt"].(type) {
	case string:
		id, _, _ := strings.Cut(g, ".")
		return id
	case []any:
		if len(g) > 0 {
			s, _ := g[0].(string)
			return s
		}
	}
	return ""
}

// TestGenerated: the generated parts are what the code gives today.
func TestGenerated(t *testing.T) {
	tp := load(t)
	want, err := infra.Generate(tp.raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tp.raw, want) {
		t.Fatalf("%s is out of date with the code: run go generate ./infra", infra.TemplatePath)
	}
}

// packaged replaces what `sam deploy` / `aws cloudformation package`
// rewrites — a function's local Code path becomes an S3 location — so the
// template can be checked as CloudFormation receives it.
func packaged(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(doc)
	var c map[string]any
	_ = json.Unmarshal(b, &c)
	for _, r := range c["Resources"].(map[string]any) {
		m := r.(map[string]any)
		if m["Type"] == "AWS::Lambda::Function" {
			if p := props(m); p != nil {
				if s, ok := p["Code"].(string); ok {
					p["Code"] = map[string]any{"S3Bucket": "packaged", "S3Key": filepath.Base(s)}
				}
			}
		}
	}
	return c
}

// intrinsicMarker stands for an intrinsic function's value in the schema
// check: its type is known only at deploy time.
const intrinsicMarker = "\x00intrinsic"

func isIntrinsic(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

func markIntrinsics(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if isIntrinsic(x) {
			return intrinsicMarker
		}
		for k, e := range x {
			x[k] = markIntrinsics(e)
		}
	case []any:
		for i, e := range x {
			x[i] = markIntrinsics(e)
		}
	}
	return v
}

// TestSpec parses the template with goformation and checks every resource
// against the CloudFormation resource specification it embeds (as a JSON
// schema: resource types, property names, nesting and types; unknown
// properties are errors). Values that are intrinsic functions are checked
// for their place only, not their type.
func TestSpec(t *testing.T) {
	tp := load(t)
	doc := packaged(t, tp.doc)
	js, _ := json.Marshal(doc)
	cf, err := goformation.ParseJSON(js)
	if err != nil {
		// Keep going: the schema check below names every problem, not
		// only the first.
		t.Errorf("goformation: %v", err)
	} else if len(cf.Resources) != len(doc["Resources"].(map[string]any)) {
		t.Fatalf("goformation read %d resources, the template has %d", len(cf.Resources), len(doc["Resources"].(map[string]any)))
	}
	// A SAM template (the issue asks for one) whose resources are all
	// plain CloudFormation types: SAM passes them through unchanged, so
	// the schema check below still covers every resource. An
	// AWS::Serverless::* resource would escape it, so none is allowed.
	if tr, ok := doc["Transform"]; ok && tr != "AWS::Serverless-2016-10-31" {
		t.Errorf("Transform %v: only AWS::Serverless-2016-10-31 is expected", tr)
	}
	for id, r := range doc["Resources"].(map[string]any) {
		if typ, _ := r.(map[string]any)["Type"].(string); strings.HasPrefix(typ, "AWS::Serverless::") {
			t.Errorf("%s is %s: the schema check covers plain CloudFormation types only", id, typ)
		}
	}

	var spec struct {
		Definitions map[string]json.RawMessage `json:"definitions"`
	}
	if err := json.Unmarshal([]byte(schema.CloudformationSchema), &spec); err != nil {
		t.Fatal(err)
	}
	// One schema for the whole Resources section — each logical id
	// referring to its type's definition — compiled once: the embedded
	// specification has thousands of definitions.
	marked := markIntrinsics(doc).(map[string]any)
	refs := map[string]any{}
	for id, r := range marked["Resources"].(map[string]any) {
		typ, _ := r.(map[string]any)["Type"].(string)
		if _, ok := spec.Definitions[typ]; !ok {
			t.Errorf("%s: resource type %q is not in the CloudFormation specification", id, typ)
			continue
		}
		refs[id] = map[string]string{"$ref": "#/definitions/" + typ}
	}
	src, _ := json.Marshal(map[string]any{"definitions": spec.Definitions, "type": "object", "properties": refs})
	s, err := gojsonschema.NewSchema(gojsonschema.NewBytesLoader(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Validate(gojsonschema.NewGoLoader(marked["Resources"]))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors() {
		if e.Type() == "invalid_type" && e.Value() == intrinsicMarker {
			continue
		}
		t.Errorf("%s", e)
	}
}

// functions maps each function to its template resource.
var functionIDs = map[string]string{
	envvars.Ingest: "IngestFunction",
	envvars.Rollup: "RollupFunction",
	envvars.Report: "ReportFunction",
	envvars.Portal: "PortalFunction",
}

// TestFunctions: every function in the template is one in functions/, with
// its zip, runtime, architecture, JSON logs with retention; its queue's
// visibility is 6× its timeout; event sources report partial failures.
func TestFunctions(t *testing.T) {
	tp := load(t)
	fns := tp.resources("AWS::Lambda::Function")
	if len(fns) != len(functionIDs) {
		t.Errorf("template has %d functions, want %d", len(fns), len(functionIDs))
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if len(dirs) != len(functionIDs) {
		t.Errorf("functions/ has %d functions, the template %d", len(dirs), len(functionIDs))
	}
	arch := map[string]string{envvars.Ingest: "arm64", envvars.Rollup: "x86_64", envvars.Report: "x86_64", envvars.Portal: "arm64"}
	for name, id := range functionIDs {
		r := fns[id]
		if r == nil {
			t.Errorf("no %s", id)
			continue
		}
		p := props(r)
		if src := get(r, "Metadata", "Source"); src != "functions/"+name {
			t.Errorf("%s: Metadata.Source %v, want functions/%s", id, src, name)
		}
		if _, err := os.Stat(filepath.Join(root, "functions", name, "main.go")); err != nil {
			t.Errorf("%s: %v", id, err)
		}
		if p["Code"] != "../build/"+name+".zip" {
			t.Errorf("%s: Code %v, want ../build/%s.zip (what make package writes)", id, p["Code"], name)
		}
		if !strings.Contains(readFile(t, filepath.Join(root, "Makefile")), "$(BUILD)/"+name+".zip") {
			t.Errorf("the Makefile does not build %s.zip", name)
		}
		if p["Handler"] != "bootstrap" || p["Runtime"] != "provided.al2023" {
			t.Errorf("%s: Handler %v Runtime %v, want bootstrap on provided.al2023", id, p["Handler"], p["Runtime"])
		}
		if a, _ := p["Architectures"].([]any); len(a) != 1 || a[0] != arch[name] {
			t.Errorf("%s: Architectures %v, want [%s]", id, p["Architectures"], arch[name])
		}
		for _, k := range []string{"MemorySize", "Timeout"} {
			if p[k] == nil {
				t.Errorf("%s: no %s", id, k)
			}
		}
		if get(p, "EphemeralStorage", "Size") == nil {
			t.Errorf("%s: no EphemeralStorage", id)
		}
		if get(p, "LoggingConfig", "LogFormat") != "JSON" {
			t.Errorf("%s: logs are not JSON", id)
		}
		lg := refTo(get(p, "LoggingConfig", "LogGroup"))
		if g := tp.resources("AWS::Logs::LogGroup")[lg]; g == nil || props(g)["RetentionInDays"] == nil {
			t.Errorf("%s: log group %q missing or without retention", id, lg)
		}
	}

	queues := tp.resources("AWS::SQS::Queue")
	maps := tp.resources("AWS::Lambda::EventSourceMapping")
	if len(maps) != 2 {
		t.Errorf("%d event source mappings, want 2 (ingest, roll-up)", len(maps))
	}
	for id, m := range maps {
		p := props(m)
		fn, q := refTo(p["FunctionName"]), refTo(p["EventSourceArn"])
		timeout := num(t, props(fns[fn])["Timeout"])
		queue := props(queues[q])
		if queue == nil {
			t.Errorf("%s: source %q is not a queue of the template", id, q)
			continue
		}
		if vis := num(t, queue["VisibilityTimeout"]); vis < 6*timeout {
			t.Errorf("%s: visibility timeout %v < 6 × %s's timeout %v", q, vis, fn, timeout)
		}
		dlq := refTo(get(queue, "RedrivePolicy", "deadLetterTargetArn"))
		if queues[dlq] == nil || num(t, get(queue, "RedrivePolicy", "maxReceiveCount")) < 1 {
			t.Errorf("%s: no dead-letter queue with maxReceiveCount", q)
		}
		if rt, _ := p["FunctionResponseTypes"].([]any); !slices.Contains(rt, any("ReportBatchItemFailures")) {
			t.Errorf("%s: ReportBatchItemFailures not enabled", id)
		}
		if num(t, p["MaximumBatchingWindowInSeconds"]) <= 0 || num(t, p["BatchSize"]) <= 10 {
			t.Errorf("%s: a burst needs a batching window and batches over 10", id)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEnvVars: the variables each function's code reads — found by
// scanning os.Getenv/os.LookupEnv in every package of the module it links
// — are envvars' list for it, and the template sets exactly the deployed
// ones.
func TestEnvVars(t *testing.T) {
	consts := envvarsConsts(t)
	tp := load(t)
	fns := tp.resources("AWS::Lambda::Function")
	for _, name := range envvars.Functions() {
		read := readEnv(t, name, consts)
		var listed []string
		for _, v := range envvars.For(name) {
			listed = append(listed, v.Name)
		}
		slices.Sort(listed)
		if !slices.Equal(read, listed) {
			t.Errorf("%s: the code reads %v; pipeline/envvars lists %v", name, read, listed)
		}
		vars, _ := get(props(fns[functionIDs[name]]), "Environment", "Variables").(map[string]any)
		var set []string
		for k := range vars {
			set = append(set, k)
		}
		slices.Sort(set)
		if want := envvars.Names(name, envvars.Deployed); !slices.Equal(set, want) {
			t.Errorf("%s: the template sets %v, want the deployed variables %v", name, set, want)
		}
	}
	// PROVINCES must be the list the schedules were generated for.
	if v := get(props(fns["ReportFunction"]), "Environment", "Variables", envvars.Provinces); refTo(v) != "ProvinceCodes" {
		t.Errorf("report: PROVINCES = %v, want !Ref ProvinceCodes", v)
	}
}

// envvarsConsts reads pipeline/envvars' string constants.
func envvarsConsts(t *testing.T) map[string]string {
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, "pipeline", "envvars", "envvars.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok {
			for i, id := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						out[id.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		}
		return true
	})
	return out
}

// readEnv lists the environment variables read by the module's packages
// that functions/<name> links, sorted.
func readEnv(t *testing.T, name string, consts map[string]string) []string {
	t.Helper()
	goarch := map[string]string{envvars.Ingest: "arm64", envvars.Portal: "arm64"}[name]
	if goarch == "" {
		goarch = "amd64"
	}
	cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc",
		"-f", `{{if not .Standard}}{{.ImportPath}}|{{.Dir}}|{{join .GoFiles ","}}{{end}}`, "./functions/"+name)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", name, err)
	}
	seen := map[string]bool{}
	fset := token.NewFileSet()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.Split(line, "|")
		if len(parts) != 3 || !strings.HasPrefix(parts[0], "github.com/xhht/xhht/") || parts[2] == "" {
			continue
		}
		for _, file := range strings.Split(parts[2], ",") {
			f, err := parser.ParseFile(fset, filepath.Join(parts[1], file), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 1 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "os" || (sel.Sel.Name != "Getenv" && sel.Sel.Name != "LookupEnv") {
					return true
				}
				switch a := call.Args[0].(type) {
				case *ast.BasicLit:
					s, _ := strconv.Unquote(a.Value)
					seen[s] = true
				case *ast.SelectorExpr:
					if v, ok := consts[a.Sel.Name]; ok {
						seen[v] = true
						return true
					}
					t.Errorf("%s: os.%s(%s.%s): not a pipeline/envvars name", fset.Position(call.Pos()), sel.Sel.Name, a.X, a.Sel.Name)
				case *ast.Ident:
					// Inside pipeline/envvars itself the
					// constants are named without the package.
					if v, ok := consts[a.Name]; ok && f.Name.Name == "envvars" {
						seen[v] = true
						return true
					}
					t.Errorf("%s: os.%s(%s): not a pipeline/envvars constant", fset.Position(call.Pos()), sel.Sel.Name, a.Name)
				default:
					t.Errorf("%s: os.%s with a computed name: use a pipeline/envvars constant", fset.Position(call.Pos()), sel.Sel.Name)
				}
				return true
			})
		}
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// neededActions are the only actions a policy of the template may allow,
// per policy owner (logical id), each with the reason it is needed.
var neededActions = map[string]map[string]string{
	"IngestRole": {
		"sts:AssumeRole":         "trust policy: the Lambda service assumes the role",
		"s3:GetObject":           "read uploads",
		"s3:GetObjectVersion":    "read the exact upload version the event names",
		"s3:PutObject":           "write submissions/, receipts/, receipts-unplaced/",
		"s3:ListBucket":          "a deleted upload is 404 NoSuchKey, dropped, not 403 retried into the dead-letter queue",
		"sqs:ReceiveMessage":     "event source mapping polls the ingest queue",
		"sqs:DeleteMessage":      "event source mapping deletes processed messages",
		"sqs:GetQueueAttributes": "event source mapping reads the queue's attributes",
		"sqs:SendMessage":        "request a roll-up of the province",
		"logs:CreateLogStream":   "logs",
		"logs:PutLogEvents":      "logs",
		"kms:Decrypt":            "read SSE-KMS objects",
		"kms:GenerateDataKey":    "write SSE-KMS objects",
	},
	"RollupRole": {
		"sts:AssumeRole":         "trust policy: the Lambda service assumes the role",
		"s3:GetObject":           "read submissions, receipts, review states, manifests and the input cache",
		"s3:ListBucket":          "list submissions/, receipts/, rollups/, reviews/",
		"s3:PutObject":           "write builds, the manifest (conditional write) and the cache",
		"s3:DeleteObject":        "delete replaced builds' files",
		"sqs:ReceiveMessage":     "event source mapping polls the roll-up queue",
		"sqs:DeleteMessage":      "event source mapping deletes processed messages",
		"sqs:GetQueueAttributes": "event source mapping reads the queue's attributes",
		"logs:CreateLogStream":   "logs",
		"logs:PutLogEvents":      "logs",
		"kms:Decrypt":            "read SSE-KMS objects",
		"kms:GenerateDataKey":    "write SSE-KMS objects",
	},
	"ReportRole": {
		"sts:AssumeRole":                "trust policy: the Lambda service assumes the role",
		"s3:GetObject":                  "read the snapshot's inputs and the roll-up's input cache; review states, report settings and contacts (issue 15)",
		"s3:GetObjectVersion":           "check the exact contacts file version the event names",
		"s3:ListBucket":                 "list submissions/, receipts/, rollups/, reviews/, config/ (404, not 403, for a missing settings file)",
		"s3:PutObject":                  "write reports/ and contacts receipts",
		"sns:Publish":                   "publish reminders",
		"sns:ListSubscriptionsByTopic":  "contacts: the topic's current e-mail subscriptions",
		"sns:Subscribe":                 "contacts: subscribe a commune's new address with its filter policy",
		"sns:GetSubscriptionAttributes": "contacts: read a subscription's filter policy (read only; IAM has no resource type for it)",
		"sqs:SendMessage":               "on-failure destination of scheduled (async) runs",
		"logs:CreateLogStream":          "logs",
		"logs:PutLogEvents":             "logs",
		"kms:Decrypt":                   "read SSE-KMS objects",
		"kms:GenerateDataKey":           "write SSE-KMS reports",
	},
	"PortalRole": {
		"sts:AssumeRole":       "trust policy: the Lambda service assumes the role",
		"s3:PutObject":         "presigned PUTs (signed with this role) and the plain form: upload keys only; review actions: reviews/ and audit/ of the lake",
		"s3:GetObject":         "check and mark an upload; read receipts/, access/, and for the province board rollups/, reviews/, audit/; submissions/: the hamlet rows of a file the roll-up does not hold (new, returned, waiting)",
		"s3:GetObjectVersion":  "mark the exact upload version the page names",
		"s3:ListBucket":        "404, not 403, for a missing object (wrong code, upload not there yet); list a commune's receipts",
		"ssm:GetParameter":     "read the session keys at cold start",
		"kms:Decrypt":          "the session keys' SecureString (via SSM only); SSE-KMS objects",
		"kms:GenerateDataKey":  "SSE-KMS uploads written through presigned PUTs",
		"logs:CreateLogStream": "logs",
		"logs:PutLogEvents":    "logs",
	},
	"SchedulerRole": {
		"lambda:InvokeFunction": "run the report function on schedule",
		"sqs:SendMessage":       "undeliverable schedules to the report dead-letter queue",
		"sts:AssumeRole":        "trust policy: the scheduler service assumes the role",
	},
	"IngestQueuePolicy": {"sqs:SendMessage": "S3 notifications from the uploads bucket"},
	"RollupQueuePolicy": {"sqs:SendMessage": "S3 notifications of review states from the lake (issue 15)"},
	"ProvinceContactsPolicy": {
		"s3:PutObject":  "a province administrator puts its own contacts file",
		"s3:GetObject":  "and reads it and its receipts",
		"s3:ListBucket": "lists its contacts receipts",
	},
	// A key policy's Resource "*" means the key itself.
	"DataKey": {"kms:*": "the account administers the key through IAM"},
}

// readActions change nothing; any other action is a write.
var readActions = []string{"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "sqs:ReceiveMessage",
	"sqs:GetQueueAttributes", "kms:Decrypt", "ssm:GetParameter", "sns:ListSubscriptionsByTopic", "sns:GetSubscriptionAttributes"}

// TestIAM walks every Allow statement of every policy in the template: an
// action must be needed (neededActions), and a write action's resource
// must not be a wildcard — no "*", no bucket-wide "/*"; a key prefix such
// as "/rollups/*" is the narrowest S3 allows, and for uploads the key
// shape itself, "/20??/??/?????/*" (year, province, commune).
func TestIAM(t *testing.T) {
	tp := load(t)
	used := map[string]map[string]bool{}
	narrowPrefix := regexp.MustCompile(`^\$\{[A-Za-z]+\.Arn\}/([a-z][a-z-]*(/[a-z][a-z-]*)*|20\?\?/\?\?/\?\?\?\?\?)/\*$`)
	for id, r := range tp.doc["Resources"].(map[string]any) {
		var docs []any
		p := props(r.(map[string]any))
		docs = append(docs, p["AssumeRolePolicyDocument"], p["PolicyDocument"], p["KeyPolicy"])
		if ps, ok := p["Policies"].([]any); ok {
			for _, pol := range ps {
				docs = append(docs, get(pol, "PolicyDocument"))
			}
		}
		for _, d := range docs {
			if d == nil {
				continue
			}
			sts, _ := get(d, "Statement").([]any)
			for _, st := range sts {
				// !If [cond, statement, AWS::NoValue]: the statement counts.
				if f, ok := get(st, "Fn::If").([]any); ok && len(f) == 3 {
					st = f[1]
				}
				s, _ := st.(map[string]any)
				if s["Effect"] == "Deny" {
					continue
				}
				if s["Effect"] != "Allow" {
					t.Errorf("%s: statement %v has no Effect Allow or Deny", id, s["Sid"])
					continue
				}
				for _, a := range strList(s["Action"]) {
					if _, ok := neededActions[id][a]; !ok {
						t.Errorf("%s: action %s is not one the pipeline needs (add it to neededActions with a reason, or remove it)", id, a)
						continue
					}
					if used[id] == nil {
						used[id] = map[string]bool{}
					}
					used[id][a] = true
					if slices.Contains(readActions, a) || s["Principal"] != nil {
						continue // reads, and trust/resource policies (their principal is the limit)
					}
					for _, res := range anyList(s["Resource"]) {
						if str, ok := res.(string); ok && strings.Contains(str, "*") {
							t.Errorf("%s: write action %s on wildcard resource %q", id, a, str)
						}
						if sub, ok := get(res, "Fn::Sub").(string); ok && strings.Contains(sub, "*") && !narrowPrefix.MatchString(sub) {
							t.Errorf("%s: write action %s on wildcard resource %q", id, a, sub)
						}
					}
				}
			}
		}
	}
	for id, acts := range neededActions {
		for a := range acts {
			if !used[id][a] {
				t.Errorf("%s: neededActions lists %s, but no statement allows it: remove it from the list", id, a)
			}
		}
	}
}

func anyList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func strList(v any) []string {
	var out []string
	for _, e := range anyList(v) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// TestSchedules: the template's schedules are deadlines.ScheduleJSON's for
// the served provinces, in Asia/Ho_Chi_Minh, aimed at the report function.
func TestSchedules(t *testing.T) {
	tp := load(t)
	provinces, err := infra.ProvinceCodes(tp.raw)
	if err != nil {
		t.Fatal(err)
	}
	if def := get(tp.doc, "Parameters", "ProvinceCodes", "Default"); def != strings.Join(provinces, ",") {
		t.Fatalf("ProvinceCodes default %v", def)
	}
	want, err := infra.Schedules(provinces)
	if err != nil {
		t.Fatal(err)
	}
	got := tp.resources("AWS::Scheduler::Schedule")
	if len(got) != len(want) {
		t.Errorf("template has %d schedules, ScheduleJSON %d", len(got), len(want))
	}
	for _, w := range want {
		r := got[infra.ScheduleLogicalID(w.Name)]
		if r == nil {
			t.Errorf("schedule %s missing", w.Name)
			continue
		}
		p := props(r)
		g := infra.ScheduleProps{Name: str(p["Name"]), ScheduleExpression: str(p["ScheduleExpression"]),
			ScheduleExpressionTimezone: str(p["ScheduleExpressionTimezone"]), Input: str(get(p, "Target", "Input"))}
		g.FlexibleTimeWindow.Mode = str(get(p, "FlexibleTimeWindow", "Mode"))
		if g != w {
			t.Errorf("schedule %s:\n got %+v\nwant %+v", w.Name, g, w)
		}
		if w.ScheduleExpressionTimezone != "Asia/Ho_Chi_Minh" {
			t.Errorf("%s: timezone %s", w.Name, w.ScheduleExpressionTimezone)
		}
		if refTo(get(p, "Target", "Arn")) != "ReportFunction" || refTo(get(p, "Target", "RoleArn")) != "SchedulerRole" || refTo(p["GroupName"]) != "ScheduleGroup" {
			t.Errorf("%s: target, role or group is not the report function's", w.Name)
		}
	}
}

func str(v any) string { s, _ := v.(string); return s }

// TestAlarms: every dead-letter queue, every function's errors and
// throttles, and the ingest queue's oldest message are alarmed to the
// alarm topic, which mails AlarmEmail.
func TestAlarms(t *testing.T) {
	tp := load(t)
	type key struct{ metric, target string }
	have := map[key]bool{}
	filtered := map[string]string{} // metric name → the log group its filter reads
	for _, f := range tp.resources("AWS::Logs::MetricFilter") {
		for _, m := range anyList(props(f)["MetricTransformations"]) {
			filtered[str(get(m, "MetricName"))] = refTo(props(f)["LogGroupName"])
		}
	}
	for id, a := range tp.resources("AWS::CloudWatch::Alarm") {
		p := props(a)
		if acts, _ := p["AlarmActions"].([]any); len(acts) != 1 || refTo(acts[0]) != "AlarmTopic" {
			t.Errorf("%s: does not notify AlarmTopic", id)
		}
		dims, _ := p["Dimensions"].([]any)
		if len(dims) == 0 && filtered[str(p["MetricName"])] != "" {
			// A metric of the template's own metric filter: no dimension.
			have[key{str(p["MetricName"]), filtered[str(p["MetricName"])]}] = true
			continue
		}
		if len(dims) != 1 {
			t.Errorf("%s: want one dimension", id)
			continue
		}
		have[key{str(p["MetricName"]), refTo(get(dims[0], "Value"))}] = true
	}
	var want []key
	for _, fn := range functionIDs {
		want = append(want, key{"Errors", fn}, key{"Throttles", fn})
	}
	for id := range tp.resources("AWS::SQS::Queue") {
		if strings.HasSuffix(id, "DeadLetterQueue") {
			want = append(want, key{"ApproximateNumberOfMessagesVisible", id})
		}
	}
	want = append(want, key{"ApproximateAgeOfOldestMessage", "IngestQueue"},
		key{"5xx", "PortalApi"}, key{"PortalFailedSignIns", "PortalLogGroup"})
	for _, w := range want {
		if !have[w] {
			t.Errorf("no alarm on %s of %s", w.metric, w.target)
		}
	}
	sub := tp.resources("AWS::SNS::Subscription")["AlarmSubscription"]
	if refTo(props(sub)["TopicArn"]) != "AlarmTopic" || refTo(props(sub)["Endpoint"]) != "AlarmEmail" {
		t.Error("AlarmTopic does not mail AlarmEmail")
	}
}

// TestPortalFailedSignInFilter: the metric filter behind the failed
// sign-in alarm matches the portal's JSON log line (its msg, which
// tests/portal_lambda_test.go sees the real bootstrap log), counts one per
// line, and reads the portal function's log group.
func TestPortalFailedSignInFilter(t *testing.T) {
	tp := load(t)
	f := props(tp.resources("AWS::Logs::MetricFilter")["PortalFailedSignInsFilter"])
	if f == nil {
		t.Fatal("no PortalFailedSignInsFilter")
	}
	if want := `{ $.msg = "` + lambdaportal.FailedSignInMessage + `" }`; f["FilterPattern"] != want {
		t.Errorf("filter pattern %q, want %q", f["FilterPattern"], want)
	}
	if refTo(f["LogGroupName"]) != "PortalLogGroup" || refTo(get(props(tp.resources("AWS::Lambda::Function")["PortalFunction"]), "LoggingConfig", "LogGroup")) != "PortalLogGroup" {
		t.Error("the filter does not read the portal function's log group")
	}
	ms := anyList(f["MetricTransformations"])
	if len(ms) != 1 || get(ms[0], "MetricValue") != "1" {
		t.Errorf("metric transformations %v: want one metric counting 1 per line", ms)
	}
}

// TestPortalFrontDoor: the HTTP API sends payload format 2.0 (what
// lambdaportal's adapter reads) to the portal function, which it may
// invoke; PUBLIC_URL and the uploads bucket's only CORS origin are the
// API's address; PutObject of the portal role is limited to upload keys.
func TestPortalFrontDoor(t *testing.T) {
	tp := load(t)
	in := props(tp.resources("AWS::ApiGatewayV2::Integration")["PortalIntegration"])
	if in["PayloadFormatVersion"] != "2.0" || in["IntegrationType"] != "AWS_PROXY" || refTo(in["IntegrationUri"]) != "PortalFunction" {
		t.Errorf("integration %v: want AWS_PROXY, payload 2.0, to PortalFunction", in)
	}
	perm := props(tp.resources("AWS::Lambda::Permission")["PortalInvokePermission"])
	if perm["Principal"] != "apigateway.amazonaws.com" || refTo(perm["FunctionName"]) != "PortalFunction" || !strings.Contains(str(get(perm, "SourceArn", "Fn::Sub")), "${PortalApi}/") {
		t.Errorf("invoke permission %v: want API Gateway, this API only", perm)
	}
	apiURL := "https://${PortalApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
	if v := get(props(tp.resources("AWS::Lambda::Function")["PortalFunction"]), "Environment", "Variables", envvars.PublicURL, "Fn::Sub"); v != apiURL {
		t.Errorf("PUBLIC_URL %v, want %s", v, apiURL)
	}
	rules, _ := get(props(tp.resources("AWS::S3::Bucket")["UploadsBucket"]), "CorsConfiguration", "CorsRules").([]any)
	if len(rules) != 1 {
		t.Fatalf("uploads bucket CORS rules %v: want one", rules)
	}
	origins := anyList(get(rules[0], "AllowedOrigins"))
	if len(origins) != 1 || get(origins[0], "Fn::Sub") != apiURL {
		t.Errorf("CORS origins %v: want only the portal's %s", origins, apiURL)
	}
	if m := strList(get(rules[0], "AllowedMethods")); !slices.Equal(m, []string{"PUT"}) {
		t.Errorf("CORS methods %v: want PUT only", m)
	}
	// The headers the presigned PUT signs and the page sends (lambdaportal).
	if h := strList(get(rules[0], "AllowedHeaders")); !slices.Equal(h, []string{"content-type", "x-amz-meta-" + storage.MetaOriginalName}) {
		t.Errorf("CORS headers %v: want content-type and x-amz-meta-%s only", h, storage.MetaOriginalName)
	}
	if get(props(tp.resources("AWS::S3::Bucket")["LakeBucket"]), "CorsConfiguration") != nil {
		t.Error("the lake has CORS: browsers never talk to it")
	}
	for _, pol := range anyList(props(tp.resources("AWS::IAM::Role")["PortalRole"])["Policies"]) {
		for _, st := range anyList(get(pol, "PolicyDocument", "Statement")) {
			if slices.Contains(strList(get(st, "Action")), "s3:PutObject") {
				for _, r := range anyList(get(st, "Resource")) {
					switch str(get(r, "Fn::Sub")) {
					case "${UploadsBucket.Arn}/20??/??/?????/*", // uploads
						"${LakeBucket.Arn}/reviews/*", "${LakeBucket.Arn}/audit/*": // review actions (issue 15)
					default:
						t.Errorf("portal PutObject on %v: want upload keys of the uploads bucket, and reviews/ and audit/ of the lake, only", r)
					}
				}
			}
		}
	}
}

// TestBuckets: versioning, encryption, Block Public Access, ownership
// enforced and a TLS-only policy on both buckets; lifecycle only on the
// lake, and there only for noncurrent versions (plus Athena results).
func TestBuckets(t *testing.T) {
	tp := load(t)
	policies := map[string]map[string]any{}
	for _, p := range tp.resources("AWS::S3::BucketPolicy") {
		policies[refTo(props(p)["Bucket"])] = props(p)
	}
	for _, id := range []string{"UploadsBucket", "LakeBucket"} {
		b := props(tp.resources("AWS::S3::Bucket")[id])
		if get(b, "VersioningConfiguration", "Status") != "Enabled" {
			t.Errorf("%s: not versioned", id)
		}
		if get(b, "BucketEncryption", "ServerSideEncryptionConfiguration") == nil {
			t.Errorf("%s: no encryption", id)
		}
		for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			if get(b, "PublicAccessBlockConfiguration", k) != true {
				t.Errorf("%s: %s not set", id, k)
			}
		}
		if rules, _ := get(b, "OwnershipControls", "Rules").([]any); len(rules) != 1 || get(rules[0], "ObjectOwnership") != "BucketOwnerEnforced" {
			t.Errorf("%s: object ownership not enforced", id)
		}
		pol := policies[id]
		js, _ := json.Marshal(pol)
		if pol == nil || !strings.Contains(string(js), `"aws:SecureTransport":"false"`) || !strings.Contains(string(js), `"Effect":"Deny"`) {
			t.Errorf("%s: no policy denying non-TLS access", id)
		}
	}
	if get(props(tp.resources("AWS::S3::Bucket")["UploadsBucket"]), "LifecycleConfiguration") != nil {
		t.Error("UploadsBucket has a lifecycle: uploads are never expired")
	}
	rules, _ := get(props(tp.resources("AWS::S3::Bucket")["LakeBucket"]), "LifecycleConfiguration", "Rules").([]any)
	for _, r := range rules {
		m := r.(map[string]any)
		if (m["ExpirationInDays"] != nil || m["ExpirationDate"] != nil || m["Transitions"] != nil) && m["Prefix"] != "athena-results/" {
			t.Errorf("lake lifecycle rule %v touches current objects outside athena-results/", m["Id"])
		}
	}
}

// TestArtifacts runs `make package` into a temporary directory and checks
// what it builds: the size targets, the roll-up and report binaries linked
// fully static (no PT_INTERP, no DT_NEEDED), the ingest binary without
// cgo. It builds rather than reading build/: a stale build/ would prove
// nothing. With a warm build cache it takes ~30 s (mostly linking DuckDB
// twice); -short skips it.
func TestArtifacts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the three functions (~30 s): skipped with -short")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	dir := t.TempDir()
	cmd := exec.Command("make", "-s", "package", "BUILD="+dir)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make package: %v\n%s", err, out)
	}
	// The static builds' known linker warnings are held back with one line
	// saying so (scripts/ldfilter), not printed six times.
	if strings.Contains(string(out), "in statically linked applications") {
		t.Errorf("make package prints the known DuckDB linker warnings:\n%s", out)
	}
	for _, name := range []string{"rollup", "report"} {
		if !strings.Contains(string(out), name+": 3 known linker warnings not shown") {
			t.Errorf("make package does not say the %s build's known linker warnings were held back:\n%s", name, out)
		}
	}
	for _, tg := range artifact.Targets {
		zip := filepath.Join(dir, tg.Name+".zip")
		if !strings.Contains(string(out), zip) {
			t.Errorf("make package did not report the size of %s", zip)
		}
		r, err := artifact.Check(tg, zip, t.TempDir())
		if err != nil {
			t.Error(err)
		}
		t.Logf("%s: zip %.1f MB, bootstrap %.1f MB", tg.Name, float64(r.ZipBytes)/artifact.MB, float64(r.BinaryBytes)/artifact.MB)
	}
}

// TestDeletionPolicies holds the decisions on what a deleted or replaced
// stack takes along: the buckets and the key (the data), the dead-letter
// queues (failures nobody has looked at yet) and the log groups (the
// processing record) are kept; the work queues, whose messages can all be
// sent again from kept objects, are deleted. Each stateful resource says so
// explicitly, so a new one cannot slip in on CloudFormation's default.
func TestDeletionPolicies(t *testing.T) {
	tp := load(t)
	dlqs := map[string]bool{}
	for _, q := range tp.resources("AWS::SQS::Queue") {
		if arn := get(props(q), "RedrivePolicy", "deadLetterTargetArn"); arn != nil {
			dlqs[refTo(arn)] = true
		}
	}
	want := map[string]string{}
	for id := range tp.resources("AWS::SQS::Queue") {
		want[id] = "Delete"
		if dlqs[id] || strings.HasSuffix(id, "DeadLetterQueue") {
			want[id] = "Retain"
		}
	}
	for _, typ := range []string{"AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::KMS::Key"} {
		for id := range tp.resources(typ) {
			want[id] = "Retain"
		}
	}
	if len(dlqs) == 0 {
		t.Fatal("no queue has a dead-letter queue: the test would check nothing about them")
	}
	res := tp.doc["Resources"].(map[string]any)
	for id, policy := range want {
		r := res[id].(map[string]any)
		if r["DeletionPolicy"] != policy || r["UpdateReplacePolicy"] != policy {
			t.Errorf("%s (%s): DeletionPolicy %v, UpdateReplacePolicy %v; want %s for both",
				id, r["Type"], r["DeletionPolicy"], r["UpdateReplacePolicy"], policy)
		}
	}
}

// TestIngestKnowsDeletedUploads: S3 answers a get of a missing key with 404
// NoSuchKey only to a principal that may list the bucket, and with 403
// AccessDenied otherwise. Ingest drops an event for a deleted upload on
// NoSuchKey/NoSuchVersion and retries anything else into the dead-letter
// queue, so its role must list the uploads bucket. And ingest reads nothing
// in the lake (its objects are a function of the upload alone): no read of
// the lake bucket.
func TestIngestKnowsDeletedUploads(t *testing.T) {
	tp := load(t)
	r := tp.doc["Resources"].(map[string]any)["IngestRole"].(map[string]any)
	listsUploads := false
	for _, pol := range anyList(props(r)["Policies"]) {
		sts, _ := get(pol, "PolicyDocument", "Statement").([]any)
		for _, st := range sts {
			if f, ok := get(st, "Fn::If").([]any); ok && len(f) == 3 {
				st = f[1]
			}
			acts := strList(get(st, "Action"))
			for _, res := range anyList(get(st, "Resource")) {
				target := refTo(res)
				if sub, ok := get(res, "Fn::Sub").(string); ok {
					target = sub
				}
				if slices.Contains(acts, "s3:ListBucket") && refTo(res) == "UploadsBucket" && get(st, "Condition") == nil {
					listsUploads = true
				}
				if strings.Contains(target, "LakeBucket") && (slices.Contains(acts, "s3:GetObject") || slices.Contains(acts, "s3:ListBucket")) {
					t.Errorf("IngestRole statement %v reads the lake (%v on %v): ingest reads only its upload", get(st, "Sid"), acts, target)
				}
			}
		}
	}
	if !listsUploads {
		t.Error("IngestRole may not list the uploads bucket: a deleted upload would be 403 AccessDenied, retried into the dead-letter queue, instead of 404 NoSuchKey and dropped")
	}
}
