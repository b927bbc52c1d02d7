package audit

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
)

// Spool file names: "<event time, unix ns, 19 digits>-<sequence>-<random>.json", so sorting by
// name replays in time order. Files being written carry the temp prefix and are never replayed;
// corrupt files get the bad suffix and stay for an operator to inspect.
const (
	spoolExt    = ".json"
	spoolTemp   = ".tmp-"
	spoolBadExt = ".bad"
	spoolFormat = 1
)

// errCorrupt marks a spool file that cannot be decoded.
var errCorrupt = errors.New("audit: corrupt spool file")

// spoolRecord is the content of one spool file.
type spoolRecord struct {
	Format int   `json:"format"`
	Event  Event `json:"event"`
}

// spool is a directory of one JSON file per event. One process owns a spool directory.
type spool struct {
	dir string
	log *slog.Logger
	seq atomic.Uint64
}

func openSpool(dir string, log *slog.Logger) (*spool, error) {
	if dir == "" {
		return nil, errors.New("audit: no spool directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit: create spool directory: %w", err)
	}
	s := &spool{dir: dir, log: log}
	// A temp file left by a crash mid-write was never acknowledged as durable: its event was
	// either written to the database or reported as failed. Remove it.
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("audit: read spool directory: %w", err)
	}
	for _, de := range entries {
		if strings.HasPrefix(de.Name(), spoolTemp) {
			_ = os.Remove(filepath.Join(dir, de.Name()))
		}
	}
	return s, nil
}

// write stores e durably: temp file, fsync, rename, fsync of the directory.
func (s *spool) write(e Event) (name string, err error) {
	data, err := json.Marshal(spoolRecord{Format: spoolFormat, Event: e})
	if err != nil {
		return "", fmt.Errorf("audit: encode spool record: %w", err)
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	name = fmt.Sprintf("%019d-%010d-%s%s", max(e.Time.UnixNano(), 0), s.seq.Add(1), hex.EncodeToString(rnd[:]), spoolExt)

	f, err := os.CreateTemp(s.dir, spoolTemp+"*") // mode 0600
	if err != nil {
		return "", fmt.Errorf("audit: spool: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		_ = f.Close()
		return "", fmt.Errorf("audit: spool: %w", err)
	}
	if err = f.Sync(); err != nil {
		_ = f.Close()
		return "", fmt.Errorf("audit: spool: %w", err)
	}
	if err = f.Close(); err != nil {
		return "", fmt.Errorf("audit: spool: %w", err)
	}
	if err = os.Rename(tmp, filepath.Join(s.dir, name)); err != nil {
		return "", fmt.Errorf("audit: spool: %w", err)
	}
	if serr := s.syncDir(); serr != nil {
		// The rename happened; only its durability across a power cut is in doubt. The file
		// stays and counts as spooled: failing here would make the caller think it was lost.
		s.log.Warn("audit spool: sync directory failed", "file", name, "err", serr)
	}
	return name, nil
}

func (s *spool) syncDir() error {
	d, err := os.Open(s.dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// list returns the names of the spooled events, oldest first.
func (s *spool) list() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("audit: read spool directory: %w", err)
	}
	var names []string
	for _, de := range entries {
		n := de.Name()
		if de.Type().IsRegular() && strings.HasSuffix(n, spoolExt) && !strings.HasPrefix(n, spoolTemp) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}

// read decodes one spool file; a file that cannot be decoded gives errCorrupt.
func (s *spool) read(name string) (Event, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, name))
	if err != nil {
		return Event{}, fmt.Errorf("audit: read spool file: %w", err)
	}
	var rec spoolRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return Event{}, fmt.Errorf("%w: %s: %w", errCorrupt, name, err)
	}
	if rec.Format != spoolFormat {
		return Event{}, fmt.Errorf("%w: %s: format %d", errCorrupt, name, rec.Format)
	}
	return rec.Event, nil
}

func (s *spool) remove(name string) error {
	if err := os.Remove(filepath.Join(s.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("audit: remove spool file: %w", err)
	}
	return nil
}

// quarantine moves a file that cannot be replayed aside, so it never blocks the rest.
func (s *spool) quarantine(name string) error {
	if err := os.Rename(filepath.Join(s.dir, name), filepath.Join(s.dir, name+spoolBadExt)); err != nil {
		return fmt.Errorf("audit: move spool file aside: %w", err)
	}
	return nil
}
