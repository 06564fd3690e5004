package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// ProviderBinaryName is the file name of the provider binary.
const ProviderBinaryName = "terraform-provider-qcloud"

// terraformProcess follows one terraform command's process tree through
// /proc (tfexec keeps its *exec.Cmd to itself): terraform is the harness's
// child working in the workspace directory, and its provider processes' peak
// RSS is sampled every 20 ms.
type terraformProcess struct {
	found, stop, stopped chan struct{}
	terraform            atomic.Int64 // pid, 0 until seen
	peak                 int64
}

func watchTerraform(dir string) *terraformProcess {
	p := &terraformProcess{found: make(chan struct{}), stop: make(chan struct{}), stopped: make(chan struct{})}
	go p.watch(dir)
	return p
}

func (p *terraformProcess) watch(dir string) {
	defer close(p.stopped)
	interval := time.Millisecond // until terraform is seen
	for {
		if p.terraform.Load() == 0 {
			if pid := childIn(dir); pid != 0 {
				p.terraform.Store(int64(pid))
				close(p.found)
				interval = 20 * time.Millisecond
			}
		}
		if terraform := int(p.terraform.Load()); terraform != 0 {
			for _, pid := range ProviderPIDs(terraform) {
				p.peak = max(p.peak, vmHWM(pid))
			}
		}
		select {
		case <-p.stop:
			return
		case <-time.After(interval):
		}
	}
}

// pid waits until terraform is seen or done is closed; 0 means never seen.
func (p *terraformProcess) pid(done <-chan struct{}) int {
	select {
	case <-p.found:
	case <-done:
	}
	return int(p.terraform.Load())
}

// finish stops sampling and returns the peak RSS in bytes.
func (p *terraformProcess) finish() int64 {
	close(p.stop)
	<-p.stopped
	return p.peak
}

// procStat is what the harness reads from /proc/<pid>/stat.
type procStat struct {
	pid, ppid int
	comm      string
}

func readProcStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	s := string(b)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return procStat{}, false
	}
	fields := strings.Fields(s[closing+1:])
	if len(fields) < 2 {
		return procStat{}, false
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return procStat{}, false
	}
	return procStat{pid: pid, ppid: ppid, comm: s[open+1 : closing]}, true
}

// descendants returns the processes below root (not root itself).
func descendants(root int) []procStat {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]procStat{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProcStat(pid); ok {
			children[p.ppid] = append(children[p.ppid], p)
		}
	}
	var out []procStat
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

// childIn returns the child process of the harness working in dir, or 0.
func childIn(dir string) int {
	self := os.Getpid()
	for _, p := range descendants(self) {
		if cwd, err := os.Readlink("/proc/" + strconv.Itoa(p.pid) + "/cwd"); p.ppid == self && err == nil && cwd == dir {
			return p.pid
		}
	}
	return 0
}

// ProviderPIDs lists the terraform-provider-qcloud processes below root.
// comm holds at most 15 characters, so the executable's name is checked too.
func ProviderPIDs(root int) []int {
	var out []int
	for _, p := range descendants(root) {
		if p.comm == "" || !strings.HasPrefix(ProviderBinaryName, p.comm) {
			continue
		}
		exe, err := os.Readlink("/proc/" + strconv.Itoa(p.pid) + "/exe")
		if err != nil || filepath.Base(strings.TrimSuffix(exe, " (deleted)")) == ProviderBinaryName {
			out = append(out, p.pid) // gone, unreadable, or the provider
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
	_, rest, _ := strings.Cut(string(b), "VmHWM:")
	var kb int64
	_, _ = fmt.Sscan(rest, &kb) // "123456 kB"
	return kb * 1024
}
