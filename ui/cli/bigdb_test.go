package cli_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
)

// The size of the big database the first-frame benchmark starts on.
const (
	bigActions     = 10_000
	bigRuns        = 100_000
	bigSampleEvery = 100       // every 100th action has a big sample: a hundred of them
	bigSampleSize  = 200 << 10 // ~200 KiB
)

// bigConnections are the connections of the big database, as the
// Connections tab lists them.
var bigConnections = []string{"Billing API", "Issues (production)", "Issues (sandbox)"}

// writeBigDB builds, at path, a database as a heavy user's might look:
// three connections (Basic, API key, none), 10,000 actions over them with
// varied names, a few headers, a JSON body on the writes and a sample
// response of a few KiB (about 200 KiB on a hundred of them), and 100,000
// runs in the history, spread unevenly over the actions but under the
// default bound of 100 per action, so all of them are kept. Secrets are
// sealed with a key file in $XDG_CONFIG_HOME, which a patchbay started with
// the same XDG_CONFIG_HOME finds. One transaction per few thousand records
// keeps it to a few seconds.
func writeBigDB(tb testing.TB, path string) {
	tb.Helper()
	start := time.Now()
	st, err := store.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()

	conns := []connection.Connection{
		{Name: bigConnections[0], BaseURL: "https://billing.example.com/v2",
			Auth: connection.Auth{Type: connection.AuthBasic, Username: "ops", Password: "s3cret-Billing"}},
		{Name: bigConnections[1], BaseURL: "https://issues.example.com/api",
			Auth: connection.Auth{Type: connection.AuthAPIKey, Key: "key-Prod-91c2", KeyHeader: "Authorization", Scheme: "Bearer"}},
		{Name: bigConnections[2], BaseURL: "https://sandbox.issues.example.com/api"},
	}
	for i := range conns {
		if err := st.CreateConnection(&conns[i]); err != nil {
			tb.Fatal(err)
		}
	}

	small := sampleBody(3 << 10)
	big := sampleBody(bigSampleSize)
	ids := make([]uint64, 0, bigActions)
	conOf := make(map[uint64]uint64, bigActions)
	const actionBatch = 2_000
	for from := 0; from < bigActions; from += actionBatch {
		batch := make([]wizard.Action, 0, actionBatch)
		for i := from; i < from+actionBatch; i++ {
			body := small
			if i%bigSampleEvery == 0 {
				body = big
			}
			batch = append(batch, bigAction(i, conns[i%len(conns)], body))
		}
		if err := st.CreateActions(batch); err != nil {
			tb.Fatal(err)
		}
		for _, a := range batch {
			ids = append(ids, a.ID)
			conOf[a.ID] = a.ConnectionID
		}
	}

	// Half the runs go to a tenth of the actions (50 each), the other half
	// five to every action: at most 55 runs per action.
	const runBatch = 10_000
	at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	runs := make([]wizard.Run, 0, runBatch)
	for i := range bigRuns {
		id := ids[(i/2)%len(ids)]
		if i%2 == 0 {
			id = ids[(i/2)%(len(ids)/10)*10]
		}
		runs = append(runs, bigRun(i, id, conOf[id], at.Add(time.Duration(i)*time.Minute)))
		if len(runs) == runBatch {
			if err := st.RecordRuns(runs); err != nil {
				tb.Fatal(err)
			}
			runs = runs[:0]
		}
	}
	if n, err := st.RunCount(); err != nil || n != bigRuns {
		tb.Fatalf("the big database keeps %d runs (%v), want %d", n, err, bigRuns)
	}
	tb.Logf("big database: %d actions, %d runs, built in %v", bigActions, bigRuns, time.Since(start).Round(time.Millisecond))
}

var (
	bigVerbs     = []string{"List", "Get", "Create", "Update", "Delete", "Search", "Archive", "Export"}
	bigResources = []string{"invoices", "customers", "issues", "comments", "projects", "users",
		"webhooks", "payments", "refunds", "subscriptions", "labels", "milestones", "attachments"}
)

// bigAction is the i-th action of the big database.
func bigAction(i int, c connection.Connection, sample []byte) wizard.Action {
	verb, res := bigVerbs[i%len(bigVerbs)], bigResources[(i/len(bigVerbs))%len(bigResources)]
	a := wizard.Action{
		Name:         fmt.Sprintf("%s %s #%04d", verb, res, i),
		ConnectionID: c.ID,
		Method:       "GET",
		URL:          "/" + res + "/{{id}}",
		Headers: []connection.KV{
			{Key: "Accept", Value: "application/json"},
			{Key: "X-Request-Id", Value: "{{request_id}}"},
		},
		BodyType: wizard.BodyNone,
	}
	switch verb {
	case "List", "Search", "Export":
		a.URL = "/" + res
		a.Query = []connection.KV{{Key: "page", Value: "{{page}}"}, {Key: "per_page", Value: "50"}}
	case "Create", "Update":
		a.Method = map[string]string{"Create": "POST", "Update": "PATCH"}[verb]
		if verb == "Create" {
			a.URL = "/" + res
		}
		a.BodyType = wizard.BodyJSON
		a.Body = fmt.Sprintf(`{"title": "{{title}}", "owner": "team-%d", "tags": ["a", "b"], "note": %q}`, i%7, strings.Repeat("lorem ipsum ", 10))
		a.Headers = append(a.Headers, connection.KV{Key: "Content-Type", Value: "application/json"})
	case "Delete", "Archive":
		a.Method = "DELETE"
	}
	if i%5 == 0 {
		a.Headers = append(a.Headers, connection.KV{Key: "X-Api-Key", Value: fmt.Sprintf("k-%08x", i*2654435761)})
	}
	a.Sample = &connection.Response{
		Request:    connection.SentRequest{Method: a.Method, URL: c.BaseURL + "/" + res + "/42"},
		Status:     200,
		StatusText: "200 OK",
		Headers:    []connection.KV{{Key: "Content-Type", Value: "application/json"}, {Key: "X-Trace", Value: fmt.Sprint(i)}},
		Body:       sample,
		Size:       int64(len(sample)),
		Duration:   time.Duration(40+i%200) * time.Millisecond,
	}
	return a
}

// bigRun is the i-th run of the big database, of action id.
func bigRun(i int, id, connID uint64, at time.Time) wizard.Run {
	status, text := 200, "200 OK"
	switch {
	case i%17 == 0:
		status, text = 404, "404 Not Found"
	case i%29 == 0:
		status, text = 503, "503 Service Unavailable"
	}
	r := wizard.Run{ActionID: id, ConnectionID: connID, At: at,
		Vars: map[string]string{"id": fmt.Sprint(i % 977), "request_id": fmt.Sprintf("r-%d", i)}}
	if i%101 == 0 {
		r.Err = "dial tcp 10.0.0.7:443: connect: connection refused"
		return r
	}
	body := fmt.Sprintf(`{"id": %d, "status": "open", "items": [%s]}`, i%977, strings.Repeat(`{"n": 1, "label": "x"},`, 12)+`{"n": 2}`)
	r.Response = &connection.Response{
		Request:    connection.SentRequest{Method: "GET", URL: fmt.Sprintf("https://issues.example.com/api/issues/%d", i%977)},
		Status:     status,
		StatusText: text,
		Headers:    []connection.KV{{Key: "Content-Type", Value: "application/json"}},
		Body:       []byte(body),
		Size:       int64(len(body)),
		Duration:   time.Duration(20+i%300) * time.Millisecond,
	}
	return r
}

// sampleBody is a JSON array of records, about size bytes.
func sampleBody(size int) []byte {
	var b strings.Builder
	b.WriteString(`[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id": %d, "name": "record %d", "email": "user%d@example.com", "active": %t, "score": %d.%02d}`,
			i, i, i, i%3 != 0, i*37%1000, i%100)
	}
	b.WriteString(`]`)
	return []byte(b.String())
}
