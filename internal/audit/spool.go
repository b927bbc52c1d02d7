package audit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
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

	"github.com/sendevagt/sendevagt/internal/privdir"
)

// Spool file names: "<event time, unix ns, 19 digits>-<sequence>-<random>.json", so sorting by
// name replays in time order. Files being written carry the temp prefix and are never replayed;
// corrupt files get the bad suffix and stay for an operator to inspect.
const (
	spoolExt    = ".json"
	spoolTemp   = ".tmp-"
	spoolBadExt = ".bad"
	// spoolFormat 2 carries an HMAC of the event; format 1 files (no tag) are moved aside.
	spoolFormat = 2
	// spoolMACContext separates spool tags from every other use of the audit key.
	spoolMACContext = "sendevagt audit spool v2\x00"
)

// errCorrupt marks a spool file that cannot be decoded or whose tag does not verify (a file
// not written by this installation's Recorder).
var errCorrupt = errors.New("audit: corrupt spool file")

// spoolRecord is the content of one spool file: the event's JSON exactly as tagged, and its tag.
type spoolRecord struct {
	Format int             `json:"format"`
	Event  json.RawMessage `json:"event"`
	MAC    string          `json:"mac"` // hex HMAC-SHA256(key, spoolMACContext + event)
}

// spool is a directory of one JSON file per event. One process owns a spool directory.
type spool struct {
	dir string
	key []byte
	log *slog.Logger
	seq atomic.Uint64
}

func openSpool(dir string, key []byte, log *slog.Logger) (*spool, error) {
	if dir == "" {
		return nil, errors.New("audit: no spool directory")
	}
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("audit: spool key: %w", ErrShortKey)
	}
	if err := privdir.Ensure(dir); err != nil {
		return nil, fmt.Errorf("audit: spool directory: %w", err)
	}
	s := &spool{dir: dir, key: append([]byte(nil), key...), log: log}
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
	ev, err := json.Marshal(e)
	if err != nil {
		return "", fmt.Errorf("audit: encode spool record: %w", err)
	}
	data, err := json.Marshal(spoolRecord{Format: spoolFormat, Event: ev, MAC: hex.EncodeToString(s.mac(ev))})
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
	tag, err := hex.DecodeString(rec.MAC)
	if err != nil || !hmac.Equal(tag, s.mac(rec.Event)) {
		return Event{}, fmt.Errorf("%w: %s: tag does not verify (not written by this installation)", errCorrupt, name)
	}
	var e Event
	if err := json.Unmarshal(rec.Event, &e); err != nil {
		return Event{}, fmt.Errorf("%w: %s: %w", errCorrupt, name, err)
	}
	return e, nil
}

// mac tags an event's JSON with the spool key.
func (s *spool) mac(event []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(spoolMACContext))
	m.Write(event)
	return m.Sum(nil)
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
