package extract

func (w *walker) tnef(j *job) error { return &statusError{Unsupported, "unsupported file type: TNEF"} }
