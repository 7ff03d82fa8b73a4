package volumes

import (
	"context"
	"fmt"
	"os"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
)

// token asks the TokenRequest API for a token bound to the pod; it is refreshed by RefreshTokens.
func (s *Set) token(ctx context.Context, dir string, src corev1.ServiceAccountTokenProjection, m os.FileMode) (File, error) {
	if err := checkPath(src.Path); err != nil {
		return File{}, err
	}
	tok, exp, err := s.requestToken(ctx, src)
	if err != nil {
		return File{}, err
	}
	s.mu.Lock()
	s.tokens = append(s.tokens, tokenFile{dir: dir, source: src, mode: m, expiration: exp, issued: s.opts.Now()})
	s.mu.Unlock()
	return File{Path: src.Path, Data: []byte(tok), Mode: m}, nil
}

func (s *Set) requestToken(ctx context.Context, src corev1.ServiceAccountTokenProjection) (string, time.Duration, error) {
	exp := int64(3600)
	if src.ExpirationSeconds != nil {
		exp = *src.ExpirationSeconds
	}
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		ExpirationSeconds: &exp,
		BoundObjectRef:    &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: s.pod.Name, UID: s.pod.UID},
	}}
	if src.Audience != "" {
		req.Spec.Audiences = []string{src.Audience}
	}
	sa := s.pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	resp, err := s.kube.Token(ctx, s.pod.Namespace, sa, req)
	if err != nil {
		return "", 0, fmt.Errorf("requesting a token for service account %q: %w", sa, err)
	}
	return resp.Status.Token, time.Duration(exp) * time.Second, nil
}

// RefreshTokens renews every service-account token when 80% of its lifetime has passed, as the
// kubelet does, until ctx ends.
func (s *Set) RefreshTokens(ctx context.Context) {
	s.mu.Lock()
	n := len(s.tokens)
	s.mu.Unlock()
	if n == 0 {
		return
	}
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		s.mu.Lock()
		for i := range s.tokens {
			t := &s.tokens[i]
			if s.opts.Now().Sub(t.issued) < t.expiration*8/10 {
				continue
			}
			tok, _, err := s.requestToken(ctx, t.source)
			if err != nil {
				continue // try again on the next tick; the old token is still valid for a while
			}
			if writeFile(t.dir, File{Path: t.source.Path, Data: []byte(tok), Mode: t.mode}, s.fsGroup) == nil {
				t.issued = s.opts.Now()
			}
		}
		s.mu.Unlock()
	}
}
