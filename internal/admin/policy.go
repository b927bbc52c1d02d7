package admin

// STUB — replaced by the helper that owns the policy pages.

import "github.com/labstack/echo/v4"

func (a *Admin) policyRoutes(g *echo.Group) {}

// PolicyStore keeps policy versions (package store).
type PolicyStore interface{}
