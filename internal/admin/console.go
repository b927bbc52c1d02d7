package admin

// STUB — replaced by the helper that owns the console pages.

import "github.com/labstack/echo/v4"

func (a *Admin) consoleRoutes(g *echo.Group) {}

// Console scans an uploaded message as Outlook would (package onsend).
type Console interface{}
