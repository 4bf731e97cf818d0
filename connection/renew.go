package connection

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// A stored OAuth2 token the server refuses (401) before its time — it was
// revoked, or its lifetime was misreported — is renewed once and the
// request sent again, as a browser session would: the refused token is
// marked expired in the store (unless another Send renewed it already),
// token() renews it under the token lock (a refresh, or client
// credentials again), and the request goes once more with the new one.
// What cannot be renewed is not: without a refresh token, or when the
// refresh is refused, the 401 stands, and AuthProblem says to reconnect.
// A token that was fresh when it was refused is the connection's problem,
// not the token's age: no second try.

// renewNote is the Note of a response sent again with a renewed token.
const renewNote = "the stored token was refused (401 Unauthorized); a new one was fetched and the request sent again"

// refusedStoredToken reports whether resp is a 401 to a stored token that
// could be renewed.
func (s *sender) refusedStoredToken(resp Response) bool {
	if resp.Status != http.StatusUnauthorized || s.token == nil || s.token.fresh || s.conn.Tokens == nil {
		return false
	}
	return s.conn.Auth.Type.IsClientCredentials() || s.token.token.RefreshToken != ""
}

// withNewToken sends the request again with a renewed token; ok is false
// when no new token could be had, and the first response stands.
func (s *sender) withNewToken(ctx context.Context) (resp Response, ok bool, err error) {
	refused := s.token.token
	if cur, err := s.conn.Tokens.LoadToken(s.conn.ID); err == nil && cur.AccessToken == refused.AccessToken {
		cur.Expiry = time.Unix(1, 0) // long past: token() renews it
		if err := s.conn.Tokens.SaveToken(s.conn.ID, cur); err != nil {
			return Response{}, false, nil
		}
	}
	if err := s.credentials(ctx); err != nil || s.token.token.AccessToken == refused.AccessToken {
		return Response{}, false, nil
	}
	resp, err = s.run(ctx)
	if err == nil {
		resp.Note = strings.TrimSuffix(renewNote+"; "+resp.Note, "; ")
	}
	return resp, true, err
}
