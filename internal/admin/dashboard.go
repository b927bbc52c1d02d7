package admin

// STUB — replaced by the helper that owns the dashboard pages.

import "github.com/labstack/echo/v4"

func (a *Admin) dashboardRoutes(g *echo.Group) {}
