package admin

// STUB — replaced by the helper that owns the audit pages.

import "github.com/labstack/echo/v4"

func (a *Admin) auditRoutes(g *echo.Group) {}

// AuditStore reads the audit and the false-alarm reports (package store).
type AuditStore interface{}
