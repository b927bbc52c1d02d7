package extract_test

import (
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
)

func init() { extract.FullExtractor = formats.New }
