package web

import (
	"bytes"
	"encoding/json"

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/addin"
)

// asciiJSON is Echo's JSON serializer with every non-ASCII character written as \uXXXX: the
// Danish texts of the answers read the same even in classic Outlook builds that decode UTF-8 as
// windows-1252 (office-js #3892, #4736). Decoding is Echo's own.
type asciiJSON struct{ echo.DefaultJSONSerializer }

// Serialize encodes i like encoding/json (HTML characters escaped too) and escapes non-ASCII.
func (asciiJSON) Serialize(c echo.Context, i any, indent string) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(i); err != nil {
		return err
	}
	_, err := c.Response().Write(addin.ASCII(b.Bytes()))
	return err
}
