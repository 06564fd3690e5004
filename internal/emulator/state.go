package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// loadState reads a persisted world; a missing file is (nil, nil).
func loadState(path string) (*World, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseWorld(b)
}

// ParseWorld decodes and checks a World JSON document (a -world file or a state file).
// Unknown fields are errors, so that a misspelt field is not silently ignored.
func ParseWorld(b []byte) (*World, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var w World
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("not a world JSON document: %w", err)
	}
	w.normalize()
	if err := w.validate(); err != nil {
		return nil, fmt.Errorf("invalid world: %w", err)
	}
	return &w, nil
}

// saveState writes the world atomically: a temporary file in the same directory renamed
// over the old one, so a crash of the process leaves either the old or the new state.
// It does not fsync: the state is a test fixture, and it is written after every change.
func saveState(path string, w *World) error {
	b, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
