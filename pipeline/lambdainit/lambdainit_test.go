package lambdainit

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReportInitError(t *testing.T) {
	type call struct {
		path, errType string
		body          map[string]any
	}
	calls := make(chan call, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		calls <- call{r.URL.Path, r.Header.Get("Lambda-Runtime-Function-Error-Type"), body}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	if err := ReportInitError(context.Background(), strings.TrimPrefix(srv.URL, "http://"), errors.New("LAKE_BUCKET is not set")); err != nil {
		t.Fatal(err)
	}
	c := <-calls
	if c.path != "/2018-06-01/runtime/init/error" || c.errType != InitErrorType ||
		c.body["errorMessage"] != "LAKE_BUCKET is not set" || c.body["errorType"] != InitErrorType {
		t.Errorf("got %+v", c)
	}
}

func TestReportInitErrorUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	if err := ReportInitError(context.Background(), strings.TrimPrefix(srv.URL, "http://"), errors.New("x")); err == nil {
		t.Error("a 500 from the Runtime API was not reported as an error")
	}
}
