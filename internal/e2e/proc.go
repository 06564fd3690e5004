package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Every child the harness starts runs in its own process group, registered
// here until it has been waited for, so that KillAll can end each group (the
// child and whatever it started: terraform's provider plugins) on any exit path.
var (
	groupsMu sync.Mutex
	groups   = map[int]string{} // pgid → what it is, for messages
)

func registerGroup(pgid int, what string) {
	groupsMu.Lock()
	defer groupsMu.Unlock()
	groups[pgid] = what
}

func unregisterGroup(pgid int) {
	groupsMu.Lock()
	defer groupsMu.Unlock()
	delete(groups, pgid)
}

// KillAll sends SIGKILL to every process group the harness started and has
// not yet reaped. It is safe to call more than once.
func KillAll() {
	groupsMu.Lock()
	defer groupsMu.Unlock()
	for pgid := range groups {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
}

// HandleInterrupts makes SIGINT, SIGTERM and SIGHUP end every process the
// harness started before the program exits (status 130). Programs call it
// first thing; cleanup registered with it runs before the processes are killed.
func HandleInterrupts(cleanup ...func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig := <-ch
		fmt.Fprintf(os.Stderr, "\ne2e: %v: stopping every process the harness started\n", sig)
		KillAll()
		for _, f := range cleanup {
			f()
		}
		os.Exit(130)
	}()
}

// groupCommand returns a command that runs in a new process group, gets
// SIGKILL should the harness die first (Pdeathsig), and whose whole group is
// killed when ctx ends.
func groupCommand(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// lockedBuffer is a bytes.Buffer safe to read while a process writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// procInfo is what the sampler needs from /proc/<pid>/stat.
type procInfo struct {
	pid, ppid int
	comm      string
}

func readProcStat(pid int) (procInfo, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procInfo{}, false
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	s := string(b)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return procInfo{}, false
	}
	fields := strings.Fields(s[closing+1:])
	if len(fields) < 2 {
		return procInfo{}, false
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return procInfo{}, false
	}
	return procInfo{pid: pid, ppid: ppid, comm: s[open+1 : closing]}, true
}

// descendants returns the processes below root (not root itself).
func descendants(root int) []procInfo {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]procInfo{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProcStat(pid); ok {
			children[p.ppid] = append(children[p.ppid], p)
		}
	}
	var out []procInfo
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		for _, c := range children[pid] {
			out = append(out, c)
			queue = append(queue, c.pid)
		}
	}
	return out
}

// ProviderBinaryName is the file name of the provider binary.
const ProviderBinaryName = "terraform-provider-qcloud"

// isProvider reports whether p runs the provider binary. comm holds at most
// 15 characters, so the executable's name is checked too.
func isProvider(p procInfo) bool {
	if !strings.HasPrefix(ProviderBinaryName, p.comm) || p.comm == "" {
		return false
	}
	exe, err := os.Readlink("/proc/" + strconv.Itoa(p.pid) + "/exe")
	if err != nil {
		return true // gone, or not readable: comm matched, count it
	}
	return filepath.Base(strings.TrimSuffix(exe, " (deleted)")) == ProviderBinaryName
}

// ProviderPIDs lists the terraform-provider-qcloud processes below root.
func ProviderPIDs(root int) []int {
	var out []int
	for _, p := range descendants(root) {
		if isProvider(p) {
			out = append(out, p.pid)
		}
	}
	return out
}

// vmHWM reads a process's peak resident set size in bytes (0 when gone).
func vmHWM(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest) // "123456 kB"
			if len(f) >= 1 {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				if err == nil {
					return kb * 1024
				}
			}
		}
	}
	return 0
}

// rssSampler keeps the largest VmHWM seen among the provider processes below
// a root process, sampling every interval until stopped.
type rssSampler struct {
	root     int
	interval time.Duration
	stop     chan struct{}
	done     chan struct{}

	mu       sync.Mutex
	peak     int64
	seenPIDs map[int]bool
}

func startRSSSampler(root int, interval time.Duration) *rssSampler {
	s := &rssSampler{root: root, interval: interval, stop: make(chan struct{}), done: make(chan struct{}), seenPIDs: map[int]bool{}}
	go s.loop()
	return s
}

func (s *rssSampler) loop() {
	defer close(s.done)
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		s.sample()
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

func (s *rssSampler) sample() {
	for _, pid := range ProviderPIDs(s.root) {
		hwm := vmHWM(pid)
		s.mu.Lock()
		s.seenPIDs[pid] = true
		s.peak = max(s.peak, hwm)
		s.mu.Unlock()
	}
}

// finish stops sampling and returns the peak in bytes and how many provider
// processes were seen.
func (s *rssSampler) finish() (int64, int) {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak, len(s.seenPIDs)
}
