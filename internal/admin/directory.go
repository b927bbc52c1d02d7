package admin

// STUB — replaced by the helper that owns the directory pages.

import "github.com/labstack/echo/v4"

func (a *Admin) directoryRoutes(g *echo.Group) {}

// DirectoryStore keeps the citizen directory (package store).
type DirectoryStore interface{}
