package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"golang.org/x/time/rate"
)

// newKeyfunc builds the key source: the static key set, or the remote one with keyfunc's
// background refresh bound to ctx. The remote set is assembled as keyfunc.NewDefaultOverrideCtx
// does (one HTTP storage behind a client with an unknown-kid rate limiter and a short
// RateLimitWaitMax), keeping the HTTP storage so a failed first fetch can be retried soon rather
// than at the next unknown-kid refetch window.
func newKeyfunc(ctx context.Context, cfg Config) (keyfunc.Keyfunc, error) {
	if len(cfg.StaticJWKS) > 0 {
		kf, err := keyfunc.NewJWKSetJSON(cfg.StaticJWKS)
		if err != nil {
			return nil, fmt.Errorf("%w: static key set: %w", ErrConfig, err)
		}
		return kf, nil
	}
	onError := func(ctx context.Context, err error) {
		cfg.Logger.WarnContext(ctx, "token signing keys: fetch failed", "url", cfg.JWKSURL, "error", err)
	}
	store, err := jwkset.NewStorageFromHTTP(cfg.JWKSURL, jwkset.HTTPClientStorageOptions{
		Client:                    cfg.HTTPClient,
		Ctx:                       ctx,
		HTTPTimeout:               DefaultHTTPTimeout,
		NoErrorReturnFirstHTTPReq: true, // start even while Entra ID is unreachable; see warmUp
		RefreshErrorHandler:       onError,
		RefreshInterval:           cfg.RefreshInterval,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: key set %q: %w", ErrConfig, cfg.JWKSURL, err)
	}
	client, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{cfg.JWKSURL: store},
		RateLimitWaitMax:  cfg.RefreshUnknownKIDWait,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(cfg.RefreshUnknownKIDEvery), 1),
	})
	if err != nil {
		return nil, fmt.Errorf("%w: key set client: %w", ErrConfig, err)
	}
	kf, err := keyfunc.New(keyfunc.Options{Ctx: ctx, Storage: client})
	if err != nil {
		return nil, fmt.Errorf("%w: keyfunc: %w", ErrConfig, err)
	}
	if keys, _ := store.KeyReadAll(ctx); len(keys) == 0 {
		go warmUp(ctx, cfg, store)
	}
	return kf, nil
}

// warmUp retries the first key set fetch with backoff (1 s doubling to 1 min) until it succeeds
// or ctx ends, writing the keys into store; later refreshes replace them as usual.
func warmUp(ctx context.Context, cfg Config, store jwkset.Storage) {
	wait := time.Second
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		if keys, _ := store.KeyReadAll(ctx); len(keys) > 0 {
			return // a refresh got there first
		}
		fresh, err := jwkset.NewStorageFromHTTP(cfg.JWKSURL, jwkset.HTTPClientStorageOptions{
			Client: cfg.HTTPClient, Ctx: ctx, HTTPTimeout: DefaultHTTPTimeout,
		})
		if err == nil {
			var keys []jwkset.JWK
			if keys, err = fresh.KeyReadAll(ctx); err == nil && len(keys) > 0 {
				if err = store.KeyReplaceAll(ctx, keys); err == nil {
					cfg.Logger.InfoContext(ctx, "token signing keys: loaded", "url", cfg.JWKSURL, "keys", len(keys))
					return
				}
			}
		}
		if err != nil {
			cfg.Logger.WarnContext(ctx, "token signing keys: fetch failed", "url", cfg.JWKSURL, "error", err, "retry_in", wait)
		}
		wait = min(2*wait, time.Minute)
	}
}
