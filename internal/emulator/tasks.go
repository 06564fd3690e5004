package emulator

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// firstTaskID makes task ids look like the cloud's (eight digits, e.g. 61531411).
const firstTaskID = 10000001

// maxFinishedTasks bounds how many finished tasks DescribeTaskResult can still find, so
// that a long benchmark does not grow the world without end.
const maxFinishedTasks = 10000

// startTask creates a RUNNING task for an accepted Associate/Disassociate call. Pending
// task-fail / task-hang faults for the action decide how it ends. Callers hold mu.
func (e *Emulator) startTask(w *World, now time.Time, action string, t Task) *Task {
	t.TaskID = w.NextTaskID
	w.NextTaskID++
	t.Result = TaskRunning
	t.Outcome = TaskSuccess
	t.DoneAt = now.Add(e.taskDelay)
	if f := e.takeTaskFault(action, FaultTaskFail); f != nil {
		t.Outcome = TaskFailed
	}
	if f := e.takeTaskFault(action, FaultTaskError); f != nil {
		t.Outcome = TaskFailed
		t.FailureCode = codeTaskFailed
	}
	if f := e.takeTaskFault(action, FaultTaskHang); f != nil {
		t.Hung = true
		t.DoneAt = time.Time{} // until ClearFaults
		if f.Delay > 0 {
			t.DoneAt = now.Add(time.Duration(f.Delay))
		}
	}
	w.Tasks = append(w.Tasks, t) // ids only grow, so Tasks stays sorted
	pruneFinishedTasks(w)
	e.dirty = true
	return &w.Tasks[len(w.Tasks)-1]
}

func pruneFinishedTasks(w *World) {
	finished := 0
	for _, t := range w.Tasks {
		if t.Result != TaskRunning {
			finished++
		}
	}
	excess := finished - maxFinishedTasks
	if excess <= 0 {
		return
	}
	w.Tasks = slices.DeleteFunc(w.Tasks, func(t Task) bool {
		if excess > 0 && t.Result != TaskRunning {
			excess--
			return true
		}
		return false
	})
}

// settleTasks finishes every running task whose DoneAt has come, oldest first, and
// applies its effect. It reports whether anything changed. Callers hold mu.
func (e *Emulator) settleTasks(now time.Time) bool {
	var due []int
	for i, t := range e.world.Tasks {
		if t.Result == TaskRunning && !t.DoneAt.IsZero() && !now.Before(t.DoneAt) {
			due = append(due, i)
		}
	}
	if len(due) == 0 {
		return false
	}
	slices.SortStableFunc(due, func(a, b int) int { return e.world.Tasks[a].DoneAt.Compare(e.world.Tasks[b].DoneAt) })
	for _, i := range due {
		t := &e.world.Tasks[i]
		t.Result = t.Outcome
		t.Hung = false
		e.finishTask(*t, now)
	}
	return true
}

// finishTask applies a finished task to its address. An address no longer owned by the
// task (deleted or changed out of band meanwhile) is left alone.
func (e *Emulator) finishTask(t Task, now time.Time) {
	a := e.world.address(t.AddressID)
	if a == nil || a.TaskID != t.TaskID {
		return
	}
	a.TaskID = 0
	switch {
	case t.Kind == TaskKindAssociate && t.Result == TaskSuccess:
		a.Status = boundStatus(a.InstanceID)
		// The cloud releases a normal public IP that sat on the private IP the EIP takes.
		if wan := e.world.addressOnPrivateIP(a.PrivateIP, AddressTypeWanIP); wan != nil {
			e.world.removeAddress(wan.AddressID)
		}
	case t.Kind == TaskKindAssociate:
		a.Status = StatusUnbind
		clearTarget(a)
	case t.Result == TaskSuccess: // disassociate
		a.Status = StatusUnbind
		clearTarget(a)
		if t.Reallocate {
			e.allocateWanIP(t.InstanceID, t.NetworkInterfaceID, t.PrivateIP, now)
		}
	default: // disassociate failed: the binding stays
		a.Status = t.PreviousStatus
	}
}

func boundStatus(instanceID string) string {
	if instanceID == "" {
		return StatusBindENI // a dangling ENI
	}
	return StatusBind
}

func clearTarget(a *Address) {
	a.InstanceID, a.NetworkInterfaceID, a.PrivateIP = "", "", ""
}

// wanIPBase is where generated normal public IPs come from (198.18.0.0/15, a range
// reserved for testing).
var wanIPBase = netip.MustParseAddr("198.18.0.0")

// allocateWanIP gives an instance a new normal public IP on the given private IP, unless
// the instance or ENI has gone or something already sits there (then it returns nil).
func (e *Emulator) allocateWanIP(instanceID, eniID, privateIP string, now time.Time) *Address {
	eni := e.world.eni(eniID)
	if e.world.instance(instanceID) == nil || eni == nil || !eni.hasIP(privateIP) ||
		e.world.addressOnPrivateIP(privateIP, "") != nil {
		return nil
	}
	inUse := map[string]bool{}
	for _, a := range e.world.Addresses {
		inUse[a.AddressIP] = true
	}
	var id, ip string
	for {
		e.world.NextWanIPSeq++
		seq := e.world.NextWanIPSeq
		id = "eip-w" + zeroPad(strconv.FormatInt(int64(seq), 36), 7)
		ip = addIPv4(wanIPBase, uint32(seq)).String()
		if e.world.address(id) == nil && !inUse[ip] {
			break
		}
	}
	e.world.insertAddress(Address{
		AddressID: id, AddressIP: ip, AddressType: AddressTypeWanIP, Status: StatusBind,
		InstanceID: instanceID, NetworkInterfaceID: eniID, PrivateIP: privateIP,
		CreatedTime: now.UTC().Format(time.RFC3339),
	})
	return e.world.address(id)
}

func zeroPad(s string, width int) string {
	return strings.Repeat("0", max(width-len(s), 0)) + s
}

// releaseHungTasks lets every hung task finish after the task delay from now.
// Callers hold mu.
func (e *Emulator) releaseHungTasks(now time.Time) {
	release := now.Add(e.taskDelay)
	for i := range e.world.Tasks {
		t := &e.world.Tasks[i]
		if t.Result != TaskRunning || !t.Hung {
			continue
		}
		if t.DoneAt.IsZero() || t.DoneAt.After(release) {
			t.DoneAt = release
		}
		t.Hung = false
		e.dirty = true
	}
}
