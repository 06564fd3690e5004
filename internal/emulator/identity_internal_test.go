package emulator

import (
	"fmt"
	"testing"
	"time"
)

// Beyond maxSessions the credentials that expire first go, never the one just issued.
func TestSessionsAreBounded(t *testing.T) {
	now := time.Date(2030, 6, 15, 12, 0, 0, 0, time.UTC)
	e, err := New(Options{Now: func() time.Time { return now }, Settings: Settings{SessionLifetime: "10s"}})
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range maxSessions {
		e.world.Sessions = append(e.world.Sessions, Session{TmpSecretID: fmt.Sprintf("AKIDold%05d", i), TmpSecretKey: "k", Token: "t",
			IssuedAt: now, ExpiresAt: now.Add(time.Hour + time.Duration(i)*time.Second)})
	}
	s := e.issueSession(now, Session{Kind: SessionAssumeRole}, time.Hour)
	if s == nil || !s.ExpiresAt.Equal(now.Add(10*time.Second)) {
		t.Fatalf("the new session = %+v", s)
	}
	if len(e.world.Sessions) != maxSessions {
		t.Fatalf("%d sessions kept, want %d", len(e.world.Sessions), maxSessions)
	}
	if e.world.session("AKIDold00000") != nil || e.world.session("AKIDold00001") == nil {
		t.Fatal("not the session expiring first was dropped")
	}
}
